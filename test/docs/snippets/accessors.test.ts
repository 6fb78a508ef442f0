/**
 * The accessor forms docs/wrapping-libraries.md shows (its block is the `accessors` region below):
 * storage reached entry by entry, as a whole array, as a scalar and as a number field, on one layer
 * whose storage the checker cannot index itself. It passes, and a wrong gradient behind each
 * accessor is found at its entries.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, type ParamList } from '../../../src/index.js';

/** A matrix whose storage is private, read and written by flat row-major index. */
class PrivateMatrix {
  readonly #data: Float64Array;
  constructor(values: number[]) {
    this.#data = Float64Array.from(values);
  }
  get(i: number): number {
    return this.#data[i];
  }
  set(i: number, value: number): void {
    this.#data[i] = value;
  }
}

/** Storage read and written only whole, as a GPU buffer or a tfjs Variable is. */
class Buffer2 {
  #values = [0.4, -0.9];
  download(): number[] {
    return [...this.#values];
  }
  upload(values: ArrayLike<number>): void {
    this.#values = Array.from(values);
  }
}

/** y_r = alpha·(W·x)_r + beta·V_r, W [2,3], V [2], beta and alpha scalars; x [3], y [2]. */
class Mixed {
  W = new PrivateMatrix([0.5, -1, 0.25, 2, 0.75, -0.5]);
  dW = new Float64Array(6);
  V = new Buffer2();
  dV = [0, 0];
  config = { beta: 1.5 };
  dBeta = 0;
  alpha = 0.8;
  dAlpha = 0;
  private x: number[] = [];
  private wx: number[] = [];

  constructor(readonly bug?: 'W' | 'V' | 'beta' | 'alpha') {}

  // #region accessors
  params: ParamList = [
    // entry by entry, flat row-major index; `size` or `shape` says how many
    { name: 'W', get: (i) => this.W.get(i), set: (i, v) => this.W.set(i, v), shape: [2, 3], grad: this.dW },
    // whole-array: read() returns every entry, write(values) stores them all (a tfjs Variable, a GPU buffer)
    { name: 'V', read: () => this.V.download(), write: (values) => this.V.upload(values), shape: [2], grad: () => this.dV },
    // a scalar: get() and set(v) with no size
    { name: 'beta', get: () => this.config.beta, set: (v) => (this.config.beta = v), grad: () => this.dBeta },
    // a number field of the layer (or of `of: someObject`), its gradient in another field
    { property: 'alpha', grad: 'dAlpha' },
  ];
  // #endregion

  sampleInput(): number[] {
    return [0.3, -1.2, 2];
  }

  forward(x: number[]): number[] {
    this.x = [...x];
    const V = this.V.download();
    this.wx = [0, 1].map((r) => [0, 1, 2].reduce((sum, c) => sum + this.W.get(r * 3 + c) * x[c], 0));
    return this.wx.map((v, r) => this.alpha * v + this.config.beta * V[r]);
  }

  backward(g: number[]): number[] {
    const twice = (name: string): number => (this.bug === name ? 2 : 1);
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) this.dW[r * 3 + c] = twice('W') * g[r] * this.alpha * this.x[c];
    const V = this.V.download();
    this.dV = g.map((gr) => twice('V') * gr * this.config.beta);
    this.dBeta = twice('beta') * (g[0] * V[0] + g[1] * V[1]);
    this.dAlpha = twice('alpha') * (g[0] * this.wx[0] + g[1] * this.wx[1]);
    return [0, 1, 2].map((c) => this.alpha * (g[0] * this.W.get(c) + g[1] * this.W.get(3 + c)));
  }
}

describe('the accessor forms of docs/wrapping-libraries.md', () => {
  it('a correct layer passes, its tensors named and shaped as the records say', () => {
    const report = checkGradients(new Mixed());
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((tensor) => [tensor.name, tensor.shape])).toEqual([
      ['W', [2, 3]],
      ['V', [2]],
      ['beta', []],
      ['alpha', []],
      ['input', [3]],
    ]);
  });

  it.each(['W', 'V', 'beta', 'alpha'] as const)('a doubled gradient of %s fails there alone', (name) => {
    const report = checkGradients(new Mixed(name));
    expect(report.verdict).toBe('fail');
    expect(report.tensors.filter((tensor) => tensor.failures.length > 0).map((tensor) => tensor.name)).toEqual([name]);
  });
});
