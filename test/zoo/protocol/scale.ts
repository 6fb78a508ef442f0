/**
 * y = w ⊙ x + c, written once and exposed in every parameter form of the protocol, so tests can
 * prove each form is read, perturbed and restored the same way. `bug` scales dw by a factor.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';

export type ParamForm = 'records' | 'record' | 'list' | 'methods' | 'tensor-like' | 'nested';

export interface ScaleOptions {
  form?: ParamForm;
  /** Factor applied to dw (1 = correct). */
  dwFactor?: number;
  float32?: boolean;
  /** Allocate new grad arrays in backward instead of accumulating into existing ones. */
  allocateGrads?: boolean;
}

export class ScaleLayer {
  readonly w: Float64Array | Float32Array;
  readonly c: Float64Array | Float32Array;
  dw: Float64Array | Float32Array;
  dc: Float64Array | Float32Array;
  private x: Float64Array = new Float64Array(0);
  readonly options: Required<ScaleOptions>;

  constructor(options: ScaleOptions = {}) {
    this.options = { form: 'record', dwFactor: 1, float32: false, allocateGrads: false, ...options };
    const Storage = this.options.float32 ? Float32Array : Float64Array;
    this.w = new Storage([0.5, -1.5, 2, 0.25, 3, -0.75]);
    this.c = new Storage([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
    this.dw = new Storage(6);
    this.dc = new Storage(6);
  }

  /** Form (b); `scaleLayer()` exposes the other forms. */
  get params(): Record<string, Float64Array | Float32Array> {
    return { w: this.w, c: this.c };
  }

  get grads(): Record<string, Float64Array | Float32Array> {
    return { w: this.dw, c: this.dc };
  }

  sampleInput(): Float64Array | Float32Array {
    const Storage = this.options.float32 ? Float32Array : Float64Array;
    return new Storage([1, 2, -3, 0.5, -1.25, 2.5]);
  }

  forward(x: Float64Array | Float32Array): Float64Array | Float32Array {
    this.x = Float64Array.from(x);
    const out = new (this.options.float32 ? Float32Array : Float64Array)(x.length);
    for (let i = 0; i < x.length; i++) out[i] = this.w[i] * x[i] + this.c[i];
    return out;
  }

  backward(grad: Float64Array | Float32Array): Float64Array | Float32Array {
    const Storage = this.options.float32 ? Float32Array : Float64Array;
    if (this.options.allocateGrads) {
      this.dw = new Storage(6);
      this.dc = new Storage(6);
    }
    const dx = new Storage(grad.length);
    for (let i = 0; i < grad.length; i++) {
      this.dw[i] += this.options.dwFactor * grad[i] * this.x[i];
      this.dc[i] += grad[i];
      dx[i] = grad[i] * this.w[i];
    }
    return dx;
  }
}

/** Wraps a ScaleLayer so it declares its parameters in the requested protocol form. */
export function scaleLayer(options: ScaleOptions = {}): Layer & { inner: ScaleLayer } {
  const inner = new ScaleLayer(options);
  const base = {
    inner,
    sampleInput: () => inner.sampleInput(),
    forward: (x: Float64Array) => inner.forward(x),
    backward: (g: Float64Array) => inner.backward(g),
  };
  const asNested = (flat: Float64Array | Float32Array): number[][] => [Array.from(flat.subarray(0, 3)), Array.from(flat.subarray(3))];
  switch (inner.options.form) {
    case 'records':
      return {
        ...base,
        get params() {
          return [
            { name: 'w', value: inner.w, grad: inner.dw },
            { name: 'c', value: inner.c, grad: inner.dc },
          ];
        },
      };
    case 'record':
      return { ...base, get params() { return { w: inner.w, c: inner.c }; }, get grads() { return { w: inner.dw, c: inner.dc }; } };
    case 'list':
      return { ...base, get params() { return [inner.w, inner.c]; }, get grads() { return [inner.dw, inner.dc]; } };
    case 'methods':
      return { ...base, params: () => ({ w: inner.w, c: inner.c }), grads: () => ({ w: inner.dw, c: inner.dc }) };
    case 'tensor-like':
      return {
        ...base,
        params: () => [
          { name: 'w', value: { data: inner.w, shape: [2, 3] }, grad: { data: inner.dw, shape: [2, 3] } },
          { name: 'c', value: { data: inner.c, shape: [2, 3] }, grad: { data: inner.dc, shape: [2, 3] } },
        ],
      };
    case 'nested': {
      // Nested number[][] storage that the wrapper keeps in sync with the inner flat arrays.
      const wNested = asNested(inner.w);
      const dwNested = [[0, 0, 0], [0, 0, 0]];
      const sync = (): void => {
        inner.w.set(wNested.flat());
      };
      return {
        ...base,
        forward: (x: Float64Array) => {
          sync();
          return inner.forward(x);
        },
        backward: (g: Float64Array) => {
          inner.dw.fill(0);
          const dx = inner.backward(g);
          const dw = asNested(inner.dw);
          for (let r = 0; r < 2; r++) for (let k = 0; k < 3; k++) dwNested[r][k] += dw[r][k];
          return dx;
        },
        params: { w: wNested as NumericContainer, c: inner.c },
        grads: { w: dwNested as NumericContainer, c: inner.dc },
      };
    }
  }
}
