/**
 * Nasty but correct: a scalar loss near 1e6. L = mean((x·w + b − t)²) over a nested [4][3] batch
 * with one output and targets t around 1e3 held by the layer. forward returns the number L; backward
 * receives dL (a number) and scales by it. In float32 the returned loss is rounded to float32
 * (spacing 0.0625 near 1e6), so finite differences of it are noisy.
 * Inputs are positive, so the weight gradients (sums of e·x over the batch, with every error e ≈ −1e3)
 * do not cancel.
 * Parameters in form (b): params { W, b } with grads { W, b }.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randAway, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 4;
const IN = 3;
const OUT = 1;
const COUNT = N * OUT;

const BUGS: BugSpec[] = [
  {
    name: 'missing-factor-2',
    description: 'd(e²)/de is taken as e instead of 2e: every gradient is halved.',
    wrongTensors: ['W', 'b', 'input'],
  },
  {
    name: 'not-divided-by-element-count',
    description: 'Forward takes the mean, backward differentiates the sum (× 4 here).',
    wrongTensors: ['W', 'b', 'input'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'The bias gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['b'],
  },
];

export class MseLargeLoss implements Layer {
  readonly params: Record<string, NumericContainer>;
  readonly grads: Record<string, NumericContainer>;
  private readonly targets: Float64Array | Float32Array;
  private readonly inputValues: number[];
  private readonly round: (v: number) => number;
  private cache: { x: Float64Array; err: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.round = dtype === 'float32' ? Math.fround : (v) => v;
    const rng = createRng(30_808);
    this.params = { W: pack('nested', dtype, randAway(rng, OUT * IN, 0.3, 1.5), [OUT, IN]), b: flatStore(dtype, randn(rng, OUT)) };
    this.grads = { W: pack('nested', dtype, new Float64Array(OUT * IN), [OUT, IN]), b: flatStore(dtype, new Float64Array(OUT)) };
    this.targets = flatStore(dtype, randn(rng, COUNT, 50).map((v) => 1e3 + v)) as Float64Array | Float32Array;
    this.inputValues = Array.from({ length: N * IN }, () => rng.uniform(0.5, 1.5));
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): number {
    const x = flatten(input);
    const w = flatten(this.params.W);
    const b = flatten(this.params.b);
    const err = new Float64Array(COUNT);
    let sum = 0;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        let pred = b[j];
        for (let k = 0; k < IN; k++) pred += w[j * IN + k] * x[n * IN + k];
        const e = pred - this.targets[n * OUT + j];
        err[n * OUT + j] = e;
        sum += e * e;
      }
    }
    this.cache = { x, err };
    return this.round(sum / COUNT);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('mse: backward before forward');
    const { x, err } = this.cache;
    const upstream = typeof gradOutput === 'number' ? gradOutput : flatten(gradOutput)[0];
    const w = flatten(this.params.W);
    const factor = (this.bug === 'missing-factor-2' ? 1 : 2) / (this.bug === 'not-divided-by-element-count' ? 1 : COUNT);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const dpred = upstream * factor * err[n * OUT + j];
        if (!(this.bug === 'bias-grad-first-sample-only' && n > 0)) db[j] += dpred;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += dpred * x[n * IN + k];
          dx[n * IN + k] += dpred * w[j * IN + k];
        }
      }
    }
    writeInto(this.grads.W, dW);
    writeInto(this.grads.b, db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

export const mseLargeLossEntry: ZooEntry = {
  name: 'mse-loss-1e6',
  nasty: true,
  make: (dtype) => new MseLargeLoss(dtype),
  bugs: variants((dtype, bug) => new MseLargeLoss(dtype, bug), BUGS),
};
