/**
 * Dense (fully connected) layer over a batch: y[n][o] = Σ_i W[o][i]·x[n][i] + b[o].
 *
 * Protocol form (a): `params` is an `Array<{ name, value, grad, shape }>` with records `W` and `b`.
 * W is nested `[out][in]` (`number[][]` in float64, `Float32Array` rows in float32), b is flat.
 * Input: nested `[batch][in]`; output: nested `[batch][out]`; backward returns the input gradient
 * in the input's form.
 * Gradients: by default accumulated with `+=` into the existing grad arrays (the checker zeroes
 * them before each backward). With `gradMode: 'allocate'` backward instead assigns NEW grad
 * arrays (and points the records at them); `mlp` builds its layers that way.
 * Sizes: batch 3, in 4, out 5 (25 parameters).
 */
import type { FlatNumbers, Layer, NumericContainer, ParamRecord } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import {
  addInto,
  checkBug,
  createRng,
  flatten,
  fillLike,
  matmulRowsByTransposed,
  pack,
  randn,
  variants,
  zeros,
  type BugSpec,
} from './tensor-utils.js';

export const DENSE_BUGS: BugSpec[] = [
  {
    name: 'weight-grad-divided-by-batch',
    description: 'dW is divided by the batch size although the output is a per-sample sum (mean/sum mix-up).',
    wrongTensors: ['W'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'db takes the upstream gradient of the first sample instead of summing it over the batch.',
    wrongTensors: ['b'],
  },
  {
    name: 'input-grad-sign-flipped',
    description: 'The input gradient is −Wᵀg instead of Wᵀg.',
    wrongTensors: ['input'],
  },
  {
    name: 'input-grad-uses-weight-grad',
    description: 'Typo: the input gradient multiplies g by dW instead of by W.',
    wrongTensors: ['input'],
  },
];

export interface DenseOptions {
  inSize?: number;
  outSize?: number;
  batch?: number;
  /** Seed of W and b. */
  seed?: number;
  /** Standard deviation of the initial weights (default 0.5) and biases (default 0.3). */
  weightScale?: number;
  biasScale?: number;
  /** Seed of `sampleInput()`. */
  inputSeed?: number;
  /** `accumulate` (default): `+=` into existing grads; `allocate`: new grad arrays in every backward. */
  gradMode?: 'accumulate' | 'allocate';
  bug?: string;
}

export class Dense implements Layer {
  readonly inSize: number;
  readonly outSize: number;
  readonly batch: number;
  readonly W: NumericContainer;
  readonly b: FlatNumbers;
  dW: NumericContainer | null;
  db: FlatNumbers | null;
  readonly params: ParamRecord[];
  private readonly gradMode: 'accumulate' | 'allocate';
  private readonly bug: string | undefined;
  private readonly inputValues: number[];
  private cache: { x: Float64Array; batch: number; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    options: DenseOptions = {},
  ) {
    checkBug(options.bug, DENSE_BUGS);
    this.bug = options.bug;
    this.inSize = options.inSize ?? 4;
    this.outSize = options.outSize ?? 5;
    this.batch = options.batch ?? 3;
    this.gradMode = options.gradMode ?? 'accumulate';
    const rng = createRng(options.seed ?? 1_001);
    this.W = pack('nested', dtype, randn(rng, this.outSize * this.inSize, options.weightScale ?? 0.5), [this.outSize, this.inSize]);
    this.b = pack('typed', dtype, randn(rng, this.outSize, options.biasScale ?? 0.3), [this.outSize]) as FlatNumbers;
    if (this.gradMode === 'accumulate') {
      this.dW = pack('nested', dtype, new Float64Array(this.outSize * this.inSize), [this.outSize, this.inSize]);
      this.db = zeros(dtype, this.outSize);
    } else {
      // Allocated by the first backward.
      this.dW = null;
      this.db = null;
    }
    this.params = [
      { name: 'W', value: this.W, grad: this.dW, shape: [this.outSize, this.inSize] },
      { name: 'b', value: this.b, grad: this.db, shape: [this.outSize] },
    ];
    this.inputValues = randn(createRng(options.inputSeed ?? 1_002), this.batch * this.inSize);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [this.batch, this.inSize]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    if (x.length % this.inSize !== 0) throw new Error(`dense: input of ${x.length} entries is not a batch of ${this.inSize}-vectors`);
    const batch = x.length / this.inSize;
    this.cache = { x, batch, template: input };
    const y = matmulRowsByTransposed(x, flatten(this.W), batch, this.inSize, this.outSize);
    const b = flatten(this.b);
    for (let n = 0; n < batch; n++) for (let o = 0; o < this.outSize; o++) y[n * this.outSize + o] += b[o];
    return pack('nested', this.dtype, y, [batch, this.outSize]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('dense: backward before forward');
    const { x, batch, template } = this.cache;
    const { inSize, outSize } = this;
    const g = flatten(gradOutput);
    const w = flatten(this.W);

    const dW = new Float64Array(outSize * inSize);
    for (let o = 0; o < outSize; o++) {
      for (let i = 0; i < inSize; i++) {
        let sum = 0;
        for (let n = 0; n < batch; n++) sum += g[n * outSize + o] * x[n * inSize + i];
        dW[o * inSize + i] = this.bug === 'weight-grad-divided-by-batch' ? sum / batch : sum;
      }
    }
    const db = new Float64Array(outSize);
    for (let o = 0; o < outSize; o++) {
      if (this.bug === 'bias-grad-first-sample-only') {
        db[o] = g[o];
      } else {
        for (let n = 0; n < batch; n++) db[o] += g[n * outSize + o];
      }
    }
    const dx = new Float64Array(batch * inSize);
    const factor = this.bug === 'input-grad-sign-flipped' ? -1 : 1;
    const weights = this.bug === 'input-grad-uses-weight-grad' ? dW : w;
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < inSize; i++) {
        let sum = 0;
        for (let o = 0; o < outSize; o++) sum += g[n * outSize + o] * weights[o * inSize + i];
        dx[n * inSize + i] = factor * sum;
      }
    }

    if (this.gradMode === 'accumulate') {
      addInto(this.dW, dW);
      addInto(this.db, db);
    } else {
      this.dW = pack('nested', this.dtype, dW, [outSize, inSize]);
      this.db = pack('typed', this.dtype, db, [outSize]) as FlatNumbers;
      this.params[0].grad = this.dW;
      this.params[1].grad = this.db;
    }
    return fillLike(template, dx);
  }
}

export const denseEntry: ZooEntry = {
  name: 'dense',
  make: (dtype) => new Dense(dtype),
  bugs: variants((dtype, bug) => new Dense(dtype, { bug }), DENSE_BUGS),
};
