/**
 * Correct layers whose containers share rows, as real libraries build them:
 * - `RowwiseDense` is checked with an input whose batch rows are one array (`Array(2).fill(row)`):
 *   a step at one position must move that position alone;
 * - `GatherRows` returns rows of its input picked by index, as js-pytorch's `at([2, 0, 2])` does:
 *   the same row object twice, each the input's own row (the output aliases the input), and its
 *   backward scatters the upstream gradient back, reading the rows it is given.
 * Nested `number[][]` throughout; float64.
 */
import type { ZooEntry } from '../types.js';

export class RowwiseDense {
  readonly W: number[][];
  readonly dW: number[][];
  private x: number[][] = [];
  constructor() {
    this.W = [
      [0.5, -0.25, 0.75],
      [-1, 0.125, 0.5],
    ];
    this.dW = this.W.map((row) => row.map(() => 0));
  }
  get params(): Record<string, number[][]> {
    return { W: this.W };
  }
  get grads(): Record<string, number[][]> {
    return { W: this.dW };
  }
  forward(x: number[][]): number[][] {
    this.x = x;
    return x.map((row) => this.W.map((w) => w.reduce((sum, v, k) => sum + v * row[k], 0)));
  }
  backward(g: number[][]): number[][] {
    this.W.forEach((w, o) => w.forEach((_, k) => (this.dW[o][k] = this.x.reduce((sum, row, n) => sum + g[n][o] * row[k], 0))));
    return this.x.map((_, n) => this.W[0].map((_, k) => this.W.reduce((sum, w, o) => sum + g[n][o] * w[k], 0)));
  }
}

/** One row, shared by both samples of the batch (a value given twice, not two values). */
export const sharedBatch = (): number[][] => {
  const row = [0.3, -0.7, 1.1];
  return Array(2).fill(row) as number[][];
};

export class GatherRows {
  private rows: number[][] = [];
  constructor(private readonly indices: number[] = [2, 0, 2]) {}
  sampleInput(): number[][] {
    return [
      [0.5, -1.5],
      [2, 0.25],
      [-0.75, 1],
    ];
  }
  forward(x: number[][]): number[][] {
    this.rows = x;
    // The input's own row objects, one of them twice.
    return this.indices.map((i) => x[i]);
  }
  backward(g: number[][]): number[][] {
    const dx = this.rows.map((row) => row.map(() => 0));
    this.indices.forEach((i, j) => g[j].forEach((v, k) => (dx[i][k] += v)));
    return dx;
  }
}


export const sharedRowsZoo: ZooEntry[] = [
  {
    name: 'dense-shared-batch-rows',
    dtypes: ['float64'],
    options: { input: sharedBatch() },
    make: () => new RowwiseDense(),
    bugs: [
      {
        name: 'input-grad-first-row-twice',
        description: 'backward returns the first sample\'s input gradient for both samples.',
        wrongTensors: ['input'],
        make: () => {
          const layer = new RowwiseDense();
          const backward = layer.backward.bind(layer);
          layer.backward = (g) => {
            const dx = backward(g);
            return [dx[0], dx[0].map((v) => v * 2)];
          };
          return layer;
        },
      },
    ],
  },
  {
    name: 'gather-shared-rows',
    dtypes: ['float64'],
    make: () => new GatherRows(),
    bugs: [
      {
        name: 'scatter-to-first-pick',
        description: 'backward sends every picked row\'s gradient to the first index picked.',
        wrongTensors: ['input'],
        make: () => {
          const layer = new GatherRows();
          layer.backward = (g) => {
            const dx = layer.sampleInput().map((row) => row.map(() => 0));
            g.forEach((row) => row.forEach((v, k) => (dx[2][k] += v)));
            return dx;
          };
          return layer;
        },
      },
    ],
  },
];
