/**
 * A dense layer y[n] = W·x[n] + b over a batch of B rows whose backward follows a library's
 * convention instead of the true gradient: parameter gradients are averaged over the batch
 * (dW = (1/B)·Σₙ g[n]·x[n]ᵀ, db = (1/B)·Σₙ g[n]), as frameworks do when the loss is a batch mean.
 * Correct under the option `gradientFactor: 1 / B`; wrong without it. The variants change which
 * tensors are averaged and by what, so tests can tell a declared convention from a bug.
 *
 * Protocol form (a): records `W` (shape [out, in]) and `b` (shape [out]), grads assigned (not
 * accumulated) in every backward. Input: one flat array of B·in values (reported as `input`).
 * Sizes: batch 4, in 3, out 2 (8 parameters, 12 input entries).
 */
import type { ParamRecord } from '../../../src/layer/protocol.js';
import { createRng, randn } from '../tensor-utils.js';

/**
 * - `mean`: W and b averaged over B, the input gradient exact (the convention, correct);
 * - `mean-W-only`: only dW averaged, db summed (a library that averages weights but not biases);
 * - `mean-over-B-minus-1`: W and b divided by B − 1 (an unbiased-mean habit: a different convention);
 * - `mean-all`: W, b and the input gradient all divided by B (the loss mean taken before backward).
 */
export type BatchAveraging = 'mean' | 'mean-W-only' | 'mean-over-B-minus-1' | 'mean-all';

export interface BatchAveragedOptions {
  averaging?: BatchAveraging;
  /** Rows in the batch (default 4). */
  batch?: number;
  /** Store parameters, input and output in Float32Array (default false: Float64Array). */
  float32?: boolean;
  /**
   * A genuine bug on top of the convention: dW at this [o, i] is doubled (a term counted twice at one
   * index), so it stays wrong whatever factor is declared.
   */
  wrongEntry?: readonly [number, number];
  /** Prefix of the parameter names (default none: `W`, `b`), e.g. `dense1.` for `dense1.W` as a model would name them. */
  namePrefix?: string;
}

export class BatchAveragedDense {
  readonly batch: number;
  readonly inSize = 3;
  readonly outSize = 2;
  readonly W: Float64Array | Float32Array;
  readonly b: Float64Array | Float32Array;
  readonly dW: Float64Array | Float32Array;
  readonly db: Float64Array | Float32Array;
  readonly params: ParamRecord[];
  private readonly averaging: BatchAveraging;
  private readonly wrongEntry: readonly [number, number] | undefined;
  private readonly Storage: Float64ArrayConstructor | Float32ArrayConstructor;
  private readonly inputValues: number[];
  private x = new Float64Array(0);

  constructor(options: BatchAveragedOptions = {}) {
    this.averaging = options.averaging ?? 'mean';
    this.batch = options.batch ?? 4;
    this.wrongEntry = options.wrongEntry;
    this.Storage = options.float32 ? Float32Array : Float64Array;
    const rng = createRng(2_024);
    // Weights and biases away from zero, so every entry's gradient is resolved and a factor shows on each.
    this.W = this.Storage.from(randn(rng, this.outSize * this.inSize, 0.5));
    this.b = this.Storage.from(randn(rng, this.outSize, 0.3));
    this.dW = new this.Storage(this.outSize * this.inSize);
    this.db = new this.Storage(this.outSize);
    const prefix = options.namePrefix ?? '';
    this.params = [
      { name: `${prefix}W`, value: this.W, grad: this.dW, shape: [this.outSize, this.inSize] },
      { name: `${prefix}b`, value: this.b, grad: this.db, shape: [this.outSize] },
    ];
    this.inputValues = randn(createRng(2_025), this.batch * this.inSize);
  }

  /** What backward's parameter gradients are multiplied by, per tensor (1 = the true gradient). */
  get convention(): { W: number; b: number; input: number } {
    const B = this.batch;
    switch (this.averaging) {
      case 'mean':
        return { W: 1 / B, b: 1 / B, input: 1 };
      case 'mean-W-only':
        return { W: 1 / B, b: 1, input: 1 };
      case 'mean-over-B-minus-1':
        return { W: 1 / (B - 1), b: 1 / (B - 1), input: 1 };
      case 'mean-all':
        return { W: 1 / B, b: 1 / B, input: 1 / B };
    }
  }

  sampleInput(): Float64Array | Float32Array {
    return this.Storage.from(this.inputValues);
  }

  forward(input: Float64Array | Float32Array): Float64Array | Float32Array {
    this.x = Float64Array.from(input);
    const { inSize, outSize } = this;
    const rows = input.length / inSize;
    const y = new this.Storage(rows * outSize);
    for (let n = 0; n < rows; n++) {
      for (let o = 0; o < outSize; o++) {
        let sum = this.b[o];
        for (let i = 0; i < inSize; i++) sum += this.W[o * inSize + i] * this.x[n * inSize + i];
        y[n * outSize + o] = sum;
      }
    }
    return y;
  }

  backward(grad: Float64Array | Float32Array): Float64Array | Float32Array {
    const { inSize, outSize, x } = this;
    const rows = x.length / inSize;
    const scale = this.convention;
    for (let o = 0; o < outSize; o++) {
      for (let i = 0; i < inSize; i++) {
        let sum = 0;
        for (let n = 0; n < rows; n++) sum += grad[n * outSize + o] * x[n * inSize + i];
        const wrong = this.wrongEntry !== undefined && this.wrongEntry[0] === o && this.wrongEntry[1] === i;
        this.dW[o * inSize + i] = (wrong ? 2 : 1) * scale.W * sum;
      }
      let sum = 0;
      for (let n = 0; n < rows; n++) sum += grad[n * outSize + o];
      this.db[o] = scale.b * sum;
    }
    const dx = new this.Storage(rows * inSize);
    for (let n = 0; n < rows; n++) {
      for (let i = 0; i < inSize; i++) {
        let sum = 0;
        for (let o = 0; o < outSize; o++) sum += grad[n * outSize + o] * this.W[o * inSize + i];
        dx[n * inSize + i] = scale.input * sum;
      }
    }
    return dx;
  }
}
