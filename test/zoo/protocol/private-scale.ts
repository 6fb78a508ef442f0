/**
 * y = α·w ⊙ x + c with its storage out of reach: `w` and its gradient are #private (reachable only
 * through methods), `c` is read and written whole, `α` is a plain number field. The layer behind
 * every accessor form of the protocol; `bug` plants one mistake per form.
 */
import type { Layer } from '../../../src/layer/protocol.js';
export type PrivateScaleBug = 'dw-times-2' | 'dalpha-sign-flipped' | 'dc-first-entry-only';

export class PrivateScale {
  readonly #w = Float64Array.from([0.5, -1.5, 2, 0.25, 3, -0.75]);
  readonly #dw = new Float64Array(6);
  #c = Float64Array.from([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
  #dc = new Float64Array(6);
  #x = new Float64Array(6);
  alpha = 1.25;
  dAlpha = 0;
  // Private, so the checker's snapshot of public fields neither sees nor restores the count.
  #accessorCalls = 0;
  failOnAccessorCall = Infinity;

  constructor(readonly bug?: PrivateScaleBug) {}

  /** Calls of the accessors so far, so tests can make one throw halfway. */
  get accessorCalls(): number {
    return this.#accessorCalls;
  }

  private touch(): void {
    this.#accessorCalls++;
    if (this.#accessorCalls === this.failOnAccessorCall) throw new Error(`accessor failed on call ${this.#accessorCalls}`);
  }

  getW(i: number): number {
    this.touch();
    return this.#w[i];
  }

  setW(i: number, value: number): void {
    this.touch();
    this.#w[i] = value;
  }

  getDw(i: number): number {
    return this.#dw[i];
  }

  setDw(i: number, value: number): void {
    this.#dw[i] = value;
  }

  /** A copy of dw, as libraries that hand out gradients by value do. */
  dwCopy(): Float64Array {
    return this.#dw.slice();
  }

  readC(): Float64Array {
    return this.#c.slice();
  }

  writeC(values: ArrayLike<number>): void {
    this.#c = Float64Array.from(values);
  }

  dcCopy(): Float64Array {
    return this.#dc.slice();
  }

  /** Every value, private ones included, for tests that the check left the layer as it was. */
  state(): { w: number[]; dw: number[]; c: number[]; dc: number[]; alpha: number; dAlpha: number } {
    return { w: [...this.#w], dw: [...this.#dw], c: [...this.#c], dc: [...this.#dc], alpha: this.alpha, dAlpha: this.dAlpha };
  }

  sampleInput(): Float64Array {
    return Float64Array.from([1, 2, -3, 0.5, -1.25, 2.5]);
  }

  forward(x: Float64Array): Float64Array {
    this.#x = Float64Array.from(x);
    return x.map((v, i) => this.alpha * this.#w[i] * v + this.#c[i]);
  }

  /** Assigns (not accumulates) every gradient. */
  backward(g: Float64Array): Float64Array {
    let dAlpha = 0;
    const dc = new Float64Array(6);
    for (let i = 0; i < 6; i++) {
      this.#dw[i] = (this.bug === 'dw-times-2' ? 2 : 1) * this.alpha * g[i] * this.#x[i];
      dAlpha += g[i] * this.#w[i] * this.#x[i];
      dc[i] = this.bug === 'dc-first-entry-only' && i > 0 ? 0 : g[i];
    }
    this.dAlpha = this.bug === 'dalpha-sign-flipped' ? -dAlpha : dAlpha;
    this.#dc = dc;
    return g.map((v, i) => this.alpha * this.#w[i] * v);
  }
}

/** The PrivateScale behind one protocol form; `inner` is the library object. */
export type Form = (inner: PrivateScale) => Layer;

// The library object is reachable from the layer (as with Object.assign(libraryLayer, glue)), so
// the snapshot restores its public fields; state reachable only through closures is out of its sight.
export const privateScaleBase = (inner: PrivateScale) => ({
  inner,
  sampleInput: () => inner.sampleInput(),
  forward: (x: Float64Array) => inner.forward(x),
  backward: (g: Float64Array) => inner.backward(g),
});

export const PRIVATE_SCALE_FORMS: Record<string, Form> = {
  'entry accessors { get(i), set(i, v), shape }, grad as an accessor': (inner) => ({
    ...privateScaleBase(inner),
    params: [
      { name: 'w', get: (i?: number) => inner.getW(i!), set: (i: number, v?: number) => inner.setW(i, v!), shape: [6], grad: { get: (i: number) => inner.getDw(i), set: (i: number, v: number) => inner.setDw(i, v) } },
      { name: 'c', read: () => inner.readC(), write: (values: Float64Array) => inner.writeC(values), grad: () => inner.dcCopy() },
      { property: 'alpha', of: inner, grad: 'dAlpha' },
    ],
  }),
  'scalar accessors { get(), set(v) }, grads as functions returning copies and numbers': (inner) => ({
    ...privateScaleBase(inner),
    params: [
      { name: 'w', get: (i?: number) => inner.getW(i!), set: (i: number, v?: number) => inner.setW(i, v!), size: 6, grad: () => inner.dwCopy() },
      { name: 'c', read: () => Array.from(inner.readC()), write: (values: Float64Array) => inner.writeC(values), grad: () => inner.dcCopy() },
      { name: 'alpha', get: () => inner.alpha, set: (v: number) => (inner.alpha = v), grad: () => inner.dAlpha },
    ],
  }),
  'accessors as values of form (b), with a grads() function': (inner) => ({
    ...privateScaleBase(inner),
    params: {
      w: { get: (i?: number) => inner.getW(i!), set: (i: number, v?: number) => inner.setW(i, v!), shape: [2, 3] },
      c: { read: () => inner.readC(), write: (values: Float64Array) => inner.writeC(values) },
      alpha: { get: () => inner.alpha, set: (v: number) => (inner.alpha = v) },
    },
    grads: () => ({ w: inner.dwCopy(), c: inner.dcCopy(), alpha: inner.dAlpha }),
  }),
};
