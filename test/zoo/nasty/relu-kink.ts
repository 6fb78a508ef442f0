/**
 * Nasty but correct: ReLU on a flat input of 10 entries, three of them exactly 0 (on the kink).
 * Backward uses the subgradient 0 at x = 0, which is valid (anything in [0, 1] is).
 * A naive central difference there gives ½ and would flag the layer.
 * The bugs change only entries where no valid subgradient explains the change (e.g. not 0 → g at
 * a kink, which is merely another valid choice).
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, randAway, variants, type BugSpec } from '../advanced/util.js';

const SIZE = 10;
const KINKS = [2, 5, 8];

const BUGS: BugSpec[] = [
  {
    name: 'kink-subgradient-2',
    description: 'At x = 0 the derivative is taken as 2, outside the subdifferential [0, 1].',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-sign-flipped',
    description: 'Backward returns −g where x > 0 (a sign slip); the zeros at the kinks and below are unchanged.',
    wrongTensors: ['input'],
  },
];

export class ReluAtKinks implements Layer {
  private readonly inputValues: number[];
  private x: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randAway(createRng(30_101), SIZE, 0.1, 1.5);
    for (const k of KINKS) this.inputValues[k] = 0;
  }

  sampleInput(): unknown {
    return pack('typed', this.dtype, this.inputValues, [SIZE]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    return pack('typed', this.dtype, x.map((v) => Math.max(0, v)), [SIZE]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('relu: backward before forward');
    const g = flatten(gradOutput);
    const dx = this.x.map((v, i) => {
      if (v === 0) return this.bug === 'kink-subgradient-2' ? 2 * g[i] : 0;
      if (v > 0) return this.bug === 'grad-sign-flipped' ? -g[i] : g[i];
      return 0;
    });
    return pack('typed', this.dtype, dx, [SIZE]);
  }
}

export const reluKinkEntry: ZooEntry = {
  name: 'relu-at-kinks',
  nasty: true,
  make: (dtype) => new ReluAtKinks(dtype),
  bugs: variants((dtype, bug) => new ReluAtKinks(dtype, bug), BUGS),
};
