/**
 * Single-head scaled dot-product cross-attention, written the way a small hand-rolled JavaScript
 * NN library writes it, not in the checker's protocol:
 *   Q = query·Wq,  K = key·Wk,  V = value·Wv,  S = Q·Kᵀ/√d,  A = softmax over keys (rows of S),
 *   out = A·V
 * with query nq×d, key nk×d, value nk×dv and out nq×dv.
 *
 * Library conventions the checker has to cope with:
 * - `forward(query, key, value)` takes THREE inputs, and `backward(gradOutput)` returns their
 *   gradients as an array `[dQuery, dKey, dValue]`;
 * - everything is plain nested `number[][]`: the parameters `Wq` (d×d), `Wk` (d×d), `Wv` (dv×dv)
 *   and their gradients `gradWq`, `gradWk`, `gradWv`;
 * - parameter gradients ACCUMULATE (`+=`) across backward calls, as in most libraries, until
 *   `zeroGrad()` clears them in place.
 *
 * Sizes: nq 2, nk 3, d 3, dv 2 (9 + 9 + 4 = 22 parameters, 6 + 9 + 6 = 21 input entries).
 */
import { checkBug, createRng, randn, type BugSpec } from '../tensor-utils.js';

export const CROSS_ATTENTION_BUGS: BugSpec[] = [
  {
    name: 'key-grad-missing-scale',
    description: 'The key branch forgets the 1/√d of the scores: dK = dSᵀ·Q instead of dSᵀ·Q/√d (√3 times too large).',
    wrongTensors: ['Wk', 'key'],
  },
  {
    name: 'value-grad-not-transposed',
    description: 'The value input gradient is dV·Wv instead of dV·Wvᵀ (the shapes agree because Wv is square).',
    wrongTensors: ['value'],
  },
  {
    name: 'softmax-jacobian-diagonal-only',
    description: 'The softmax backward keeps only the diagonal of its Jacobian: dS = A·(1 − A)·dA, dropping the −A_i·A_j terms.',
    wrongTensors: ['Wq', 'Wk', 'query', 'key'],
  },
  {
    name: 'query-grad-uses-key-weights',
    description: 'Copy-paste slip: the query input gradient is dQ·Wkᵀ instead of dQ·Wqᵀ.',
    wrongTensors: ['query'],
  },
  {
    name: 'Wq-grad-transposed',
    description: 'gradWq accumulates (queryᵀ·dQ)ᵀ: the right numbers at transposed positions (Wq is square).',
    wrongTensors: ['Wq'],
  },
];

const NQ = 2;
const NK = 3;
const D = 3;
const DV = 2;

type Mat = number[][];

function zerosMat(rows: number, cols: number): Mat {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

function reshape(values: readonly number[], rows: number, cols: number): Mat {
  return Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
}

function matmul(a: Mat, b: Mat): Mat {
  const out = zerosMat(a.length, b[0].length);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b[0].length; j++) {
      let sum = 0;
      for (let k = 0; k < b.length; k++) sum += a[i][k] * b[k][j];
      out[i][j] = sum;
    }
  }
  return out;
}

function transpose(a: Mat): Mat {
  return a[0].map((_, c) => a.map((row) => row[c]));
}

function scale(a: Mat, factor: number): Mat {
  return a.map((row) => row.map((v) => v * factor));
}

function addInPlace(target: Mat, delta: Mat): void {
  for (let i = 0; i < target.length; i++) for (let j = 0; j < target[i].length; j++) target[i][j] += delta[i][j];
}

function softmaxRows(s: Mat): Mat {
  return s.map((row) => {
    // Subtracting the row maximum keeps exp from overflowing; softmax is shift-invariant.
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}

export interface CrossAttentionOptions {
  seed?: number;
  inputSeed?: number;
  bug?: string;
}

export class CrossAttention {
  Wq: Mat;
  Wk: Mat;
  Wv: Mat;
  gradWq: Mat;
  gradWk: Mat;
  gradWv: Mat;
  private readonly bug: string | undefined;
  private readonly scoreScale: number;
  private readonly inputSeed: number;
  private cache: { query: Mat; key: Mat; value: Mat; Q: Mat; K: Mat; V: Mat; A: Mat } | null = null;

  constructor(
    readonly dModel = D,
    readonly dValue = DV,
    options: CrossAttentionOptions = {},
  ) {
    checkBug(options.bug, CROSS_ATTENTION_BUGS);
    this.bug = options.bug;
    this.scoreScale = 1 / Math.sqrt(dModel);
    this.inputSeed = options.inputSeed ?? 40_202;
    const rng = createRng(options.seed ?? 40_201);
    this.Wq = reshape(randn(rng, dModel * dModel, 0.7), dModel, dModel);
    this.Wk = reshape(randn(rng, dModel * dModel, 0.7), dModel, dModel);
    this.Wv = reshape(randn(rng, dValue * dValue, 0.7), dValue, dValue);
    this.gradWq = zerosMat(dModel, dModel);
    this.gradWk = zerosMat(dModel, dModel);
    this.gradWv = zerosMat(dValue, dValue);
  }

  /** Fresh seeded inputs: query nq×d (nq 2), key nk×d and value nk×dv (nk 3). */
  sampleInputs(): { query: Mat; key: Mat; value: Mat } {
    const rng = createRng(this.inputSeed);
    return {
      query: reshape(randn(rng, NQ * this.dModel), NQ, this.dModel),
      key: reshape(randn(rng, NK * this.dModel), NK, this.dModel),
      value: reshape(randn(rng, NK * this.dValue), NK, this.dValue),
    };
  }

  zeroGrad(): void {
    for (const grad of [this.gradWq, this.gradWk, this.gradWv]) for (const row of grad) row.fill(0);
  }

  forward(query: Mat, key: Mat, value: Mat): Mat {
    if (key.length !== value.length) throw new RangeError(`CrossAttention: ${key.length} keys but ${value.length} values`);
    const Q = matmul(query, this.Wq);
    const K = matmul(key, this.Wk);
    const V = matmul(value, this.Wv);
    const A = softmaxRows(scale(matmul(Q, transpose(K)), this.scoreScale));
    const copy = (m: Mat): Mat => m.map((row) => [...row]);
    this.cache = { query: copy(query), key: copy(key), value: copy(value), Q, K, V, A };
    return matmul(A, V);
  }

  backward(gradOutput: Mat): [Mat, Mat, Mat] {
    if (this.cache === null) throw new Error('CrossAttention: backward before forward');
    const { query, key, value, Q, K, V, A } = this.cache;

    const dA = matmul(gradOutput, transpose(V));
    const dV = matmul(transpose(A), gradOutput);
    // Row-wise softmax backward: dS_ij = A_ij·(dA_ij − Σ_k A_ik·dA_ik).
    const dS = A.map((row, i) => {
      const dot = row.reduce((sum, a, k) => sum + a * dA[i][k], 0);
      return row.map((a, j) => (this.bug === 'softmax-jacobian-diagonal-only' ? a * (1 - a) * dA[i][j] : a * (dA[i][j] - dot)));
    });
    const dQ = scale(matmul(dS, K), this.scoreScale);
    const dK = scale(matmul(transpose(dS), Q), this.bug === 'key-grad-missing-scale' ? 1 : this.scoreScale);

    const dWq = matmul(transpose(query), dQ);
    addInPlace(this.gradWq, this.bug === 'Wq-grad-transposed' ? transpose(dWq) : dWq);
    addInPlace(this.gradWk, matmul(transpose(key), dK));
    addInPlace(this.gradWv, matmul(transpose(value), dV));

    const dQuery = matmul(dQ, transpose(this.bug === 'query-grad-uses-key-weights' ? this.Wk : this.Wq));
    const dKey = matmul(dK, transpose(this.Wk));
    const dValue = matmul(dV, this.bug === 'value-grad-not-transposed' ? this.Wv : transpose(this.Wv));
    return [dQuery, dKey, dValue];
  }
}

/** The d 3, dv 2 CrossAttention with its seeded weights, optionally with one of `CROSS_ATTENTION_BUGS`. */
export function makeCrossAttention(bug?: string): CrossAttention {
  return new CrossAttention(D, DV, { bug });
}
