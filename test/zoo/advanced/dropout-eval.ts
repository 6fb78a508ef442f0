/**
 * Inverted dropout (p = 0.25) built with `training = false`: in eval mode forward is the identity
 * (×1) and so is backward. Input and output nested [2][5]. No parameters.
 *
 * The training-mode path (mask, ×1/(1−p)) exists, as in a real layer, but the zoo builds the layer
 * in eval mode only; the buggy variants leak the training-mode mask or scale into eval backward.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, randn, variants, type BugSpec } from './util.js';

const ROWS = 2;
const COLS = 5;
const P = 0.25;

const BUGS: BugSpec[] = [
  {
    name: 'eval-backward-scales-by-inverse-keep-prob',
    description: 'Backward always multiplies by 1/(1 − p), also in eval mode where forward is the plain identity.',
    wrongTensors: ['input'],
  },
  {
    name: 'eval-backward-applies-mask',
    description: 'Backward applies the stored dropout mask (and 1/(1 − p)) even though forward in eval mode used none.',
    wrongTensors: ['input'],
  },
];

export class Dropout implements Layer {
  readonly training: boolean;
  readonly p = P;
  private readonly mask: Float64Array;
  private readonly inputValues: number[];
  private readonly bug: string | undefined;

  constructor(
    private readonly dtype: Dtype,
    options: { training?: boolean; bug?: string } = {},
  ) {
    checkBug(options.bug, BUGS);
    this.bug = options.bug;
    this.training = options.training ?? false;
    const rng = createRng(20_808);
    this.inputValues = randn(rng, ROWS * COLS);
    // A fixed mask, with at least one dropped and one kept entry.
    this.mask = Float64Array.from({ length: ROWS * COLS }, (_, i) => (i % 4 === 1 ? 0 : rng.next() < P ? 0 : 1));
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [ROWS, COLS]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = this.training ? x.map((v, i) => (v * this.mask[i]) / (1 - this.p)) : x;
    return pack('nested', this.dtype, y, [ROWS, COLS]);
  }

  backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const masked = this.training || this.bug === 'eval-backward-applies-mask';
    const scaled = masked || this.bug === 'eval-backward-scales-by-inverse-keep-prob';
    const dx = g.map((v, i) => (masked ? v * this.mask[i] : v) / (scaled ? 1 - this.p : 1));
    return pack('nested', this.dtype, dx, [ROWS, COLS]);
  }
}

export const dropoutEvalEntry: ZooEntry = {
  name: 'dropout-eval',
  make: (dtype) => new Dropout(dtype, { training: false }),
  bugs: variants((dtype, bug) => new Dropout(dtype, { training: false, bug }), BUGS),
};
