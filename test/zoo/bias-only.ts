/**
 * Bias-only layer over a batch: y[n][f] = x[n][f] + b[f].
 *
 * Protocol form (d): a `params()` METHOD returning form (a) records `[{ name: 'b', value, grad }]`
 * built on each call from the layer's own (live) arrays; no `grads`.
 * Input and output: tensor-like `{ data, shape: [batch, features] }` (`Float64Array` / `Float32Array` data).
 * Gradients: accumulated with `+=` into the existing `db`.
 * Sizes: batch 3, features 4 (4 parameters).
 */
import type { FlatNumbers, Layer, ParamRecord } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { addInto, checkBug, createRng, fillLike, flatten, pack, randn, variants, zeros, type BugSpec } from './tensor-utils.js';

const BATCH = 3;
const FEATURES = 4;

const BUGS: BugSpec[] = [
  {
    name: 'bias-grad-first-row-only',
    description: 'db copies the first sample’s upstream gradient instead of summing over the batch.',
    wrongTensors: ['b'],
  },
  {
    name: 'bias-grad-mean-over-batch',
    description: 'db averages the upstream gradient over the batch instead of summing it.',
    wrongTensors: ['b'],
  },
  {
    name: 'bias-grad-ignores-upstream',
    description: 'db counts the samples (adds 1 per sample) instead of adding the upstream gradient.',
    wrongTensors: ['b'],
  },
  {
    name: 'input-grad-last-row-zeroed',
    description: 'Off-by-one loop bound (n < batch − 1): the last sample’s input gradient stays 0.',
    wrongTensors: ['input'],
  },
];

export class BiasOnly implements Layer {
  readonly b: FlatNumbers;
  readonly db: FlatNumbers;
  private readonly inputValues: number[];
  private cache: { batch: number; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.b = pack('typed', dtype, randn(createRng(2_001), FEATURES, 0.5), [FEATURES]) as FlatNumbers;
    this.db = zeros(dtype, FEATURES);
    this.inputValues = randn(createRng(2_002), BATCH * FEATURES);
  }

  params(): ParamRecord[] {
    return [{ name: 'b', value: this.b, grad: this.db, shape: [FEATURES] }];
  }

  sampleInput(): unknown {
    return pack('tensor', this.dtype, this.inputValues, [BATCH, FEATURES]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const batch = x.length / FEATURES;
    this.cache = { batch, template: input };
    const b = flatten(this.b);
    const y = x.map((v, k) => v + b[k % FEATURES]);
    return pack('tensor', this.dtype, y, [batch, FEATURES]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('bias-only: backward before forward');
    const { batch, template } = this.cache;
    const g = flatten(gradOutput);
    const db = new Float64Array(FEATURES);
    for (let f = 0; f < FEATURES; f++) {
      for (let n = 0; n < batch; n++) {
        if (this.bug === 'bias-grad-first-row-only' && n > 0) break;
        db[f] += this.bug === 'bias-grad-ignores-upstream' ? 1 : g[n * FEATURES + f];
      }
      if (this.bug === 'bias-grad-mean-over-batch') db[f] /= batch;
    }
    addInto(this.db, db);
    const dx = new Float64Array(g.length);
    const rows = this.bug === 'input-grad-last-row-zeroed' ? batch - 1 : batch;
    for (let n = 0; n < rows; n++) for (let f = 0; f < FEATURES; f++) dx[n * FEATURES + f] = g[n * FEATURES + f];
    return fillLike(template, dx);
  }
}

export const biasOnlyEntry: ZooEntry = {
  name: 'bias-only',
  make: (dtype) => new BiasOnly(dtype),
  bugs: variants((dtype, bug) => new BiasOnly(dtype, bug), BUGS),
};
