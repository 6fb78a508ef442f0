/**
 * Single-head scaled dot-product cross-attention with three inputs, all plain nested arrays:
 *   Q = query·Wq, K = key·Wk, V = value·Wv, A = softmax(Q·Kᵀ/√d) row by row, out = A·V
 * with query [nq][d], key [nk][d], value [nk][dv], out [nq][dv]. Parameter gradients accumulate
 * (+=), as in most libraries; the checker zeroes them before each backward.
 */
type Matrix = number[][];

const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const scale = (a: Matrix, factor: number): Matrix => a.map((row) => row.map((v) => v * factor));
const addInto = (target: Matrix, delta: Matrix): void => target.forEach((row, i) => row.forEach((_, j) => (row[j] += delta[i][j])));

function softmaxRows(scores: Matrix): Matrix {
  return scores.map((row) => {
    const max = Math.max(...row); // softmax is shift-invariant; this keeps exp from overflowing
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}

export class CrossAttention {
  readonly params: { Wq: Matrix; Wk: Matrix; Wv: Matrix };
  readonly grads: { Wq: Matrix; Wk: Matrix; Wv: Matrix };
  private cache = { query: [] as Matrix, key: [] as Matrix, value: [] as Matrix, Q: [] as Matrix, K: [] as Matrix, V: [] as Matrix, A: [] as Matrix };

  constructor(
    readonly d: number,
    readonly dv: number,
  ) {
    // Fixed values keep the example reproducible; any finite values work.
    const weights = (rows: number, cols: number, seed: number) =>
      Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + i * cols + j) * 0.7));
    this.params = { Wq: weights(d, d, 1), Wk: weights(d, d, 2), Wv: weights(dv, dv, 3) };
    this.grads = { Wq: weights(d, d, 0).map((row) => row.fill(0)), Wk: weights(d, d, 0).map((row) => row.fill(0)), Wv: weights(dv, dv, 0).map((row) => row.fill(0)) };
  }

  forward(query: Matrix, key: Matrix, value: Matrix): Matrix {
    const Q = matmul(query, this.params.Wq);
    const K = matmul(key, this.params.Wk);
    const V = matmul(value, this.params.Wv);
    const A = softmaxRows(scale(matmul(Q, transpose(K)), 1 / Math.sqrt(this.d)));
    this.cache = { query, key, value, Q, K, V, A };
    return matmul(A, V);
  }

  /** One gradient per input, in a record with the inputs' names. */
  backward(dOut: Matrix): { query: Matrix; key: Matrix; value: Matrix } {
    const { query, key, value, Q, K, V, A } = this.cache;
    const dA = matmul(dOut, transpose(V));
    const dV = matmul(transpose(A), dOut);
    // Softmax backward, row by row: dS_ij = A_ij·(dA_ij − Σ_k A_ik·dA_ik).
    const dS = A.map((row, i) => {
      const dot = row.reduce((sum, a, k) => sum + a * dA[i][k], 0);
      return row.map((a, j) => a * (dA[i][j] - dot));
    });
    const dQ = scale(matmul(dS, K), 1 / Math.sqrt(this.d));
    const dK = scale(matmul(transpose(dS), Q), 1 / Math.sqrt(this.d));
    addInto(this.grads.Wq, matmul(transpose(query), dQ));
    addInto(this.grads.Wk, matmul(transpose(key), dK));
    addInto(this.grads.Wv, matmul(transpose(value), dV));
    return { query: matmul(dQ, transpose(this.params.Wq)), key: matmul(dK, transpose(this.params.Wk)), value: matmul(dV, transpose(this.params.Wv)) };
  }
}
