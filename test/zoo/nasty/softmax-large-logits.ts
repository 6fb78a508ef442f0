/**
 * Nasty but correct: softmax over rows of logits x + bias, with x around 50 (nested [2][5]) and a
 * small bias [5]. Forward subtracts the row maximum (stable). A relative step on inputs of size 50
 * is large, and naive exp() loses no precision here only because of the max subtraction.
 * Parameters in form (a): one record named `bias`.
 */
import type { Layer, ParamRecord } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const ROWS = 2;
const COLS = 5;

const BUGS: BugSpec[] = [
  {
    name: 'jacobian-diagonal-only',
    description: 'The softmax backward keeps only the diagonal of the Jacobian: dx = y·(1 − y)·g.',
    wrongTensors: ['input', 'bias'],
  },
  {
    name: 'missing-dot-product-term',
    description: 'The softmax backward returns y·g, forgetting to subtract Σ g·y.',
    wrongTensors: ['input', 'bias'],
  },
];

export class SoftmaxLargeLogits implements Layer {
  readonly params: ParamRecord[];
  private readonly bias: Float64Array | Float32Array | number[];
  private readonly biasGrad: Float64Array | Float32Array | number[];
  private readonly inputValues: number[];
  private y: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(30_707);
    this.bias = flatStore(dtype, randn(rng, COLS, 0.5));
    this.biasGrad = flatStore(dtype, new Float64Array(COLS));
    this.params = [{ name: 'bias', value: this.bias, grad: this.biasGrad }];
    this.inputValues = randn(rng, ROWS * COLS, 1.2).map((v) => 50 + v);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [ROWS, COLS]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = new Float64Array(ROWS * COLS);
    for (let r = 0; r < ROWS; r++) {
      let max = -Infinity;
      for (let c = 0; c < COLS; c++) max = Math.max(max, x[r * COLS + c] + this.bias[c]);
      let sum = 0;
      for (let c = 0; c < COLS; c++) {
        y[r * COLS + c] = Math.exp(x[r * COLS + c] + this.bias[c] - max);
        sum += y[r * COLS + c];
      }
      for (let c = 0; c < COLS; c++) y[r * COLS + c] /= sum;
    }
    this.y = y;
    return pack('nested', this.dtype, y, [ROWS, COLS]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.y === null) throw new Error('softmax: backward before forward');
    const y = this.y;
    const g = flatten(gradOutput);
    const dx = new Float64Array(ROWS * COLS);
    const dbias = new Float64Array(COLS);
    for (let r = 0; r < ROWS; r++) {
      let dot = 0;
      for (let c = 0; c < COLS; c++) dot += g[r * COLS + c] * y[r * COLS + c];
      for (let c = 0; c < COLS; c++) {
        const p = y[r * COLS + c];
        const gi = g[r * COLS + c];
        const d =
          this.bug === 'jacobian-diagonal-only' ? p * (1 - p) * gi : this.bug === 'missing-dot-product-term' ? p * gi : p * (gi - dot);
        dx[r * COLS + c] = d;
        dbias[c] += d;
      }
    }
    writeInto(this.biasGrad, dbias);
    return pack('nested', this.dtype, dx, [ROWS, COLS]);
  }
}

export const softmaxLargeLogitsEntry: ZooEntry = {
  name: 'softmax-logits-50',
  nasty: true,
  make: (dtype) => new SoftmaxLargeLogits(dtype),
  bugs: variants((dtype, bug) => new SoftmaxLargeLogits(dtype, bug), BUGS),
};
