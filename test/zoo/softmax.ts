/**
 * Row-wise softmax (an activation, NOT a loss): y[n][c] = e^(x[n][c] − m_n) / Σ_k e^(x[n][k] − m_n),
 * m_n = max_k x[n][k]. Backward: dx[n][c] = y[n][c]·(g[n][c] − Σ_k g[n][k]·y[n][k]).
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * The output (and the input gradient) have the input's form; rows are consecutive runs of
 * `classes` entries. The zoo sample input is nested `[3][5]` (`number[][]`, `Float32Array` rows
 * in float32) with x ~ N(0, 1).
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randn, variants, type BugSpec } from './tensor-utils.js';

const ROWS = 3;
const CLASSES = 5;

const BUGS: BugSpec[] = [
  {
    name: 'jacobian-diagonal-only',
    description: 'Only the diagonal of the softmax Jacobian is used: dx = g·y·(1 − y), without the off-diagonal −y_i·y_j terms.',
    wrongTensors: ['input'],
  },
  {
    name: 'dot-product-over-whole-batch',
    description: 'The correction Σ g·y is summed over the whole batch instead of per row.',
    wrongTensors: ['input'],
  },
  {
    name: 'dot-product-missing-y',
    description: 'The correction is written Σ_k g[k] instead of Σ_k g[k]·y[k].',
    wrongTensors: ['input'],
  },
];

/** Row-wise softmax of a row-major [rows × classes] block. */
export function softmaxRows(x: Float64Array, classes: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, x[start + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      y[start + c] = Math.exp(x[start + c] - max);
      sum += y[start + c];
    }
    for (let c = 0; c < classes; c++) y[start + c] /= sum;
  }
  return y;
}

export class Softmax implements Layer {
  private readonly inputValues: number[];
  private cache: { y: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
    readonly classes = CLASSES,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randn(createRng(7_001), ROWS * CLASSES);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [ROWS, CLASSES]);
  }

  private store(values: Float64Array, template: unknown): unknown {
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(values) : values);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    if (x.length % this.classes !== 0) throw new Error(`softmax: ${x.length} entries are not rows of ${this.classes}`);
    const y = softmaxRows(x, this.classes);
    this.cache = { y, template: input };
    return this.store(y, input);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('softmax: backward before forward');
    const { y, template } = this.cache;
    const { classes } = this;
    const g = flatten(gradOutput);
    const dx = new Float64Array(y.length);
    let batchDot = 0;
    for (let k = 0; k < y.length; k++) batchDot += g[k] * y[k];
    for (let start = 0; start < y.length; start += classes) {
      let dot = 0;
      for (let c = 0; c < classes; c++) dot += this.bug === 'dot-product-missing-y' ? g[start + c] : g[start + c] * y[start + c];
      if (this.bug === 'dot-product-over-whole-batch') dot = batchDot;
      for (let c = 0; c < classes; c++) {
        const k = start + c;
        dx[k] = this.bug === 'jacobian-diagonal-only' ? g[k] * y[k] * (1 - y[k]) : y[k] * (g[k] - dot);
      }
    }
    return this.store(dx, template);
  }
}

export const softmaxEntry: ZooEntry = {
  name: 'softmax',
  make: (dtype) => new Softmax(dtype),
  bugs: variants((dtype, bug) => new Softmax(dtype, bug), BUGS),
};
