/**
 * An embedding table large enough that only projection can check it (10 million entries by
 * default): forward looks up a few rows and returns them, so a call costs the same whatever the
 * table's size, and almost every gradient is exactly zero. Wrong rows or entries can be planted.
 * Shared by the mode tests and the benchmarks (the 1e7-entry figures).
 */
import { createRng } from '../tensor-utils.js';

export interface LargeEmbeddingOptions {
  rows: number;
  width: number;
  /** Row ids looked up, in order (repeats allowed). */
  tokens: number[];
  seed?: number;
  /** The row whose gradient backward writes into instead of the token's own: an off-by-one scatter. */
  scatterTo?: (row: number) => number;
  /** Wrong entries of the table's gradient: flat index → factor applied to its analytic value. */
  plantedErrors?: ReadonlyMap<number, number>;
}

export class LargeEmbedding {
  readonly E: Float64Array;
  readonly dE: Float64Array;
  readonly rows: number;
  readonly width: number;
  readonly tokens: readonly number[];
  private readonly scatterTo: (row: number) => number;
  private readonly planted: ReadonlyMap<number, number>;

  constructor(options: LargeEmbeddingOptions) {
    this.rows = options.rows;
    this.width = options.width;
    this.tokens = [...options.tokens];
    this.scatterTo = options.scatterTo ?? ((row) => row);
    this.planted = options.plantedErrors ?? new Map();
    const rng = createRng(options.seed ?? 7);
    this.E = new Float64Array(this.rows * this.width);
    // Only the looked-up rows need values: the rest stays 0, as a freshly zeroed table would.
    for (const token of this.tokens) for (let k = 0; k < this.width; k++) this.E[token * this.width + k] = rng.normal();
    this.dE = new Float64Array(this.E.length);
  }

  get params(): Record<string, Float64Array> {
    return { E: this.E };
  }

  get grads(): Record<string, Float64Array> {
    return { E: this.dE };
  }

  forward(): Float64Array {
    const { width } = this;
    const y = new Float64Array(this.tokens.length * width);
    // A smooth function of the looked-up rows (tanh), so finite differences have curvature to handle.
    this.tokens.forEach((token, t) => {
      for (let k = 0; k < width; k++) y[t * width + k] = Math.tanh(this.E[token * width + k]);
    });
    return y;
  }

  backward(g: Float64Array): undefined {
    const { width } = this;
    this.dE.fill(0);
    this.tokens.forEach((token, t) => {
      const row = this.scatterTo(token);
      for (let k = 0; k < width; k++) {
        const value = this.E[token * width + k];
        const slope = 1 - Math.tanh(value) ** 2;
        this.dE[row * width + k] += g[t * width + k] * slope;
      }
    });
    for (const [index, factor] of this.planted) this.dE[index] *= factor;
    return undefined;
  }
}
