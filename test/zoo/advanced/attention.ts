/**
 * Single-head scaled dot-product self-attention over a sequence X (nested [T=3][D=4]):
 *   Q = X·Wq, K = X·Wk, V = X·Wv,  S = Q·Kᵀ/√dk,  A = softmax over keys (rows of S),  O = A·V.
 * Output nested [3][4]. Parameters in form (b) as nested matrices: params { Wq, Wk, Wv } [4][4],
 * grads under the same keys.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, randn, variants, writeInto, type BugSpec } from './util.js';

const T = 3;
const D = 4;
const DK = 4;
const SCALE = 1 / Math.sqrt(DK);

const BUGS: BugSpec[] = [
  {
    name: 'softmax-jacobian-diagonal-only',
    description: 'The softmax backward uses only the diagonal of its Jacobian: dS = A·(1 − A)·dA, dropping the −A_i·A_j terms.',
    wrongTensors: ['input', 'Wq', 'Wk'],
  },
  {
    name: 'missing-score-scale-in-backward',
    description: 'The 1/√dk scale of the scores is applied in forward but forgotten in backward (×2 here).',
    wrongTensors: ['input', 'Wq', 'Wk'],
  },
  {
    name: 'dV-uses-attention-not-transposed',
    description: 'The value gradient is A·dO instead of Aᵀ·dO.',
    wrongTensors: ['input', 'Wv'],
  },
  {
    name: 'dK-uses-dS-not-transposed',
    description: 'The key gradient is dS·Q instead of dSᵀ·Q.',
    wrongTensors: ['input', 'Wk'],
  },
  {
    name: 'Wv-grad-transposed',
    description: 'The Wv gradient is stored transposed: (Xᵀ·dV)ᵀ.',
    wrongTensors: ['Wv'],
  },
  {
    name: 'Wq-grad-uses-dK',
    description: 'Copy-paste slip: the Wq gradient is computed as Xᵀ·dK instead of Xᵀ·dQ.',
    wrongTensors: ['Wq'],
  },
];

/** C = A·B for row-major A [m][k], B [k][n]; `ta`/`tb` read A or B transposed. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, ta = false, tb = false): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = sum;
    }
  }
  return out;
}

export class SelfAttention implements Layer {
  readonly params: Record<string, NumericContainer>;
  readonly grads: Record<string, NumericContainer>;
  private readonly inputValues: number[];
  private cache: { x: Float64Array; q: Float64Array; k: Float64Array; v: Float64Array; attn: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(20_606);
    const matrix = (): NumericContainer => pack('nested', dtype, randn(rng, D * DK, 0.7), [D, DK]);
    this.params = { Wq: matrix(), Wk: matrix(), Wv: matrix() };
    const zeros = (): NumericContainer => pack('nested', dtype, new Float64Array(D * DK), [D, DK]);
    this.grads = { Wq: zeros(), Wk: zeros(), Wv: zeros() };
    this.inputValues = randn(rng, T * D);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [T, D]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const q = matmul(x, flatten(this.params.Wq), T, D, DK);
    const k = matmul(x, flatten(this.params.Wk), T, D, DK);
    const v = matmul(x, flatten(this.params.Wv), T, D, DK);
    const scores = matmul(q, k, T, DK, T, false, true);
    const attn = new Float64Array(T * T);
    for (let t = 0; t < T; t++) {
      let max = -Infinity;
      for (let u = 0; u < T; u++) max = Math.max(max, scores[t * T + u] * SCALE);
      let sum = 0;
      for (let u = 0; u < T; u++) {
        attn[t * T + u] = Math.exp(scores[t * T + u] * SCALE - max);
        sum += attn[t * T + u];
      }
      for (let u = 0; u < T; u++) attn[t * T + u] /= sum;
    }
    this.cache = { x, q, k, v, attn };
    return pack('nested', this.dtype, matmul(attn, v, T, T, DK), [T, DK]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('attention: backward before forward');
    const { x, q, k, v, attn } = this.cache;
    const dO = flatten(gradOutput);
    const dA = matmul(dO, v, T, DK, T, false, true); // dO·Vᵀ
    const dV = this.bug === 'dV-uses-attention-not-transposed' ? matmul(attn, dO, T, T, DK) : matmul(attn, dO, T, T, DK, true);
    const dS = new Float64Array(T * T);
    for (let t = 0; t < T; t++) {
      let dot = 0;
      for (let u = 0; u < T; u++) dot += dA[t * T + u] * attn[t * T + u];
      for (let u = 0; u < T; u++) {
        const p = attn[t * T + u];
        const local = this.bug === 'softmax-jacobian-diagonal-only' ? p * (1 - p) * dA[t * T + u] : p * (dA[t * T + u] - dot);
        dS[t * T + u] = this.bug === 'missing-score-scale-in-backward' ? local : local * SCALE;
      }
    }
    const dQ = matmul(dS, k, T, T, DK);
    const dK = this.bug === 'dK-uses-dS-not-transposed' ? matmul(dS, q, T, T, DK) : matmul(dS, q, T, T, DK, true);
    const dWq = matmul(x, this.bug === 'Wq-grad-uses-dK' ? dK : dQ, D, T, DK, true);
    const dWk = matmul(x, dK, D, T, DK, true);
    let dWv = matmul(x, dV, D, T, DK, true);
    if (this.bug === 'Wv-grad-transposed') dWv = matmul(dV, x, DK, T, D, true); // (Xᵀ·dV)ᵀ = dVᵀ·X
    const dx = matmul(dQ, flatten(this.params.Wq), T, DK, D, false, true);
    const fromK = matmul(dK, flatten(this.params.Wk), T, DK, D, false, true);
    const fromV = matmul(dV, flatten(this.params.Wv), T, DK, D, false, true);
    for (let i = 0; i < dx.length; i++) dx[i] += fromK[i] + fromV[i];
    writeInto(this.grads.Wq, dWq);
    writeInto(this.grads.Wk, dWk);
    writeInto(this.grads.Wv, dWv);
    return pack('nested', this.dtype, dx, [T, D]);
  }
}

export const attentionEntry: ZooEntry = {
  name: 'scaled-dot-product-attention',
  make: (dtype) => new SelfAttention(dtype),
  bugs: variants((dtype, bug) => new SelfAttention(dtype, bug), BUGS),
};
