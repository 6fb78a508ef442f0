/**
 * The arithmetic of the hostile zoo: an affine layer y[n][o] = Σ_i W[o][i]·x[n][i] + b[o] on flat
 * row-major doubles, and its backward pass. Each hostile layer wraps these few lines in one
 * awkward-but-legal shape (getters, Proxies, Maps, shared buffers…), so the expected verdict is
 * easy to state: correct unless a bug is asked for.
 */

export interface AffineSizes {
  batch: number;
  inSize: number;
  outSize: number;
}

export const SMALL: AffineSizes = { batch: 2, inSize: 4, outSize: 3 };

/** Fixed, irregular values (no RNG): a test reads them at a glance. */
export function weights(sizes: AffineSizes = SMALL): Float64Array {
  const w = new Float64Array(sizes.outSize * sizes.inSize);
  for (let k = 0; k < w.length; k++) w[k] = Math.sin(1.3 * k + 0.4) * 0.8;
  return w;
}

export function biases(sizes: AffineSizes = SMALL): Float64Array {
  const b = new Float64Array(sizes.outSize);
  for (let k = 0; k < b.length; k++) b[k] = 0.1 * (k + 1) * (k % 2 === 0 ? 1 : -1);
  return b;
}

export function inputs(sizes: AffineSizes = SMALL): Float64Array {
  const x = new Float64Array(sizes.batch * sizes.inSize);
  for (let k = 0; k < x.length; k++) x[k] = Math.cos(0.7 * k + 0.2) * 1.5;
  return x;
}

export function affineForward(w: ArrayLike<number>, b: ArrayLike<number>, x: ArrayLike<number>, sizes: AffineSizes): Float64Array {
  const { batch, inSize, outSize } = sizes;
  const y = new Float64Array(batch * outSize);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outSize; o++) {
      let sum = b[o];
      for (let i = 0; i < inSize; i++) sum += w[o * inSize + i] * x[n * inSize + i];
      y[n * outSize + o] = sum;
    }
  }
  return y;
}

/** Bugs the hostile layers can carry, each a mistake real code makes. */
export type AffineBug = 'none' | 'weight-times-2' | 'bias-first-sample' | 'weight-zero' | 'input-sign';

export interface AffineGradients {
  dW: Float64Array;
  db: Float64Array;
  dx: Float64Array;
}

export function affineBackward(w: ArrayLike<number>, x: ArrayLike<number>, g: ArrayLike<number>, sizes: AffineSizes, bug: AffineBug = 'none'): AffineGradients {
  const { batch, inSize, outSize } = sizes;
  const dW = new Float64Array(outSize * inSize);
  const db = new Float64Array(outSize);
  const dx = new Float64Array(batch * inSize);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outSize; o++) {
      const upstream = g[n * outSize + o];
      if (bug !== 'bias-first-sample' || n === 0) db[o] += upstream;
      for (let i = 0; i < inSize; i++) {
        dW[o * inSize + i] += upstream * x[n * inSize + i];
        dx[n * inSize + i] += upstream * w[o * inSize + i];
      }
    }
  }
  if (bug === 'weight-times-2') dW.forEach((v, k) => (dW[k] = 2 * v));
  if (bug === 'weight-zero') dW.fill(0);
  if (bug === 'input-sign') dx.forEach((v, k) => (dx[k] = -v));
  return { dW, db, dx };
}

/** Rows of `flat` as nested `number[][]` of the given row length. */
export function rows(flat: ArrayLike<number>, rowLength: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < flat.length; k += rowLength) out.push(Array.from(flat).slice(k, k + rowLength));
  return out;
}
