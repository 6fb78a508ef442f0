/**
 * Layers whose backward is wrong only at some shapes, each beside its correct version and the space
 * a user would search, with the smallest configuration where the bug shows. Shared by the search
 * tests (test/across), the corpus and the bench.
 * - `broadcast-sum`: a row sum whose backward broadcasts the upstream gradient back along the axis
 *   whose size matches it (js-pytorch's rule): right until rows = cols, where it picks the wrong
 *   axis; at 1 × 1 both axes agree, so the smallest failure is 2 × 2.
 * - `strided-conv-same`: a stride-2 'same' convolution (TensorFlow's padding: the total padding
 *   depends on the width's parity) whose backward hard-codes the even-width left padding: wrong at
 *   odd widths, and only where the kernel is wider than 1.
 * - `dense-batch-one`: a dense layer whose batch-of-one fast path forgets the upstream gradient in
 *   the input gradient.
 * - `rnn-one-step`: an Elman RNN whose single-step fast path forgets tanh′ in the input weights'
 *   gradient.
 * All float64, plain `number[]` storage, seeded values.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Config } from '../../../src/across/across-types.js';
import { createRng, randn } from '../tensor-utils.js';

export interface ShapeCase {
  name: string;
  /** The space a user would search: candidate lists, smallest first. */
  space: Record<string, number[]>;
  /** The layer (or layer and input) at a configuration; `buggy` plants the shape-dependent bug; null where the configuration does not exist. */
  build(config: Config, buggy: boolean): Layer | { layer: Layer; input: unknown } | null;
  /** The smallest configuration where the bug shows (the search must shrink to it). */
  smallest: Record<string, number>;
}

const seeded = (seed: number, n: number, scale = 1): number[] => randn(createRng(seed), n, scale);

class BroadcastRowSum {
  constructor(
    private readonly rows: number,
    private readonly cols: number,
    private readonly buggy: boolean,
  ) {}
  forward(x: number[][]): number[] {
    return x.map((row) => row.reduce((sum, v) => sum + v, 0));
  }
  backward(g: number[]): number[][] {
    // The reduced axis is taken to be the one whose size differs from the gradient's; when both match, axis 0.
    const expandAlongRows = this.buggy && this.rows === this.cols ? true : g.length !== this.rows;
    return Array.from({ length: this.rows }, (_, i) => Array.from({ length: this.cols }, (_, j) => (expandAlongRows ? g[j] : g[i])));
  }
}

/** TensorFlow's 'same' padding for stride 2: the total padding depends on the width's parity. */
const leftPadding = (width: number, kernel: number): number => {
  const outputs = Math.ceil(width / 2);
  return Math.floor(Math.max((outputs - 1) * 2 + kernel - width, 0) / 2);
};

class StridedConvSame {
  readonly w: number[];
  dw: number[];
  private x: number[] = [];
  constructor(
    private readonly kernel: number,
    private readonly buggy: boolean,
  ) {
    this.w = seeded(310 + kernel, kernel, 0.7);
    this.dw = new Array<number>(kernel).fill(0);
  }
  get params(): Record<string, number[]> {
    return { w: this.w };
  }
  get grads(): Record<string, number[]> {
    return { w: this.dw };
  }
  private padding(width: number): number {
    // The bug: the even-width padding, floor((kernel − 2) / 2), used for every width.
    return this.buggy ? Math.max(Math.floor((this.kernel - 2) / 2), 0) : leftPadding(width, this.kernel);
  }
  forward(x: number[]): number[] {
    this.x = x.slice();
    const pad = leftPadding(x.length, this.kernel);
    return Array.from({ length: Math.ceil(x.length / 2) }, (_, o) => {
      let sum = 0;
      for (let t = 0; t < this.kernel; t++) {
        const i = o * 2 + t - pad;
        if (i >= 0 && i < x.length) sum += this.w[t] * x[i];
      }
      return sum;
    });
  }
  backward(g: number[]): number[] {
    const pad = this.padding(this.x.length);
    const dx = new Array<number>(this.x.length).fill(0);
    this.dw = new Array<number>(this.kernel).fill(0);
    g.forEach((go, o) => {
      for (let t = 0; t < this.kernel; t++) {
        const i = o * 2 + t - pad;
        if (i < 0 || i >= this.x.length) continue;
        dx[i] += go * this.w[t];
        this.dw[t] += go * this.x[i];
      }
    });
    return dx;
  }
}

class BatchDense {
  readonly W: number[][];
  readonly b: number[];
  dW: number[][];
  db: number[];
  private x: number[][] = [];
  constructor(
    inSize: number,
    outSize: number,
    private readonly buggy: boolean,
  ) {
    const w = seeded(400 + inSize * 10 + outSize, inSize * outSize, 0.6);
    this.W = Array.from({ length: outSize }, (_, o) => w.slice(o * inSize, o * inSize + inSize));
    this.b = seeded(450 + outSize, outSize, 0.2);
    this.dW = this.W.map((row) => row.map(() => 0));
    this.db = this.b.map(() => 0);
  }
  get params(): Record<string, unknown> {
    return { W: this.W, b: this.b };
  }
  get grads(): Record<string, unknown> {
    return { W: this.dW, b: this.db };
  }
  forward(x: number[][]): number[][] {
    this.x = x.map((row) => row.slice());
    return x.map((row) => this.W.map((w, o) => w.reduce((sum, v, i) => sum + v * row[i], this.b[o])));
  }
  backward(g: number[][]): number[][] {
    this.dW = this.W.map((w, o) => w.map((_, i) => this.x.reduce((sum, row, n) => sum + g[n][o] * row[i], 0)));
    this.db = this.b.map((_, o) => g.reduce((sum, row) => sum + row[o], 0));
    if (this.buggy && this.x.length === 1) {
      // The batch-of-one fast path: Wᵀ·1 instead of Wᵀ·g.
      return [this.W[0].map((_, i) => this.W.reduce((sum, w) => sum + w[i], 0))];
    }
    return g.map((row) => this.W[0].map((_, i) => this.W.reduce((sum, w, o) => sum + row[o] * w[i], 0)));
  }
}

class ElmanRnn {
  readonly Wx: number[];
  readonly Wh: number[];
  dWx: number[];
  dWh: number[];
  private xs: number[][] = [];
  private hs: number[][] = [];
  constructor(
    private readonly hidden: number,
    private readonly inputs: number,
    private readonly buggy: boolean,
  ) {
    this.Wx = seeded(500 + hidden, hidden * inputs, 0.5);
    this.Wh = seeded(550 + hidden, hidden * hidden, 0.4);
    this.dWx = this.Wx.map(() => 0);
    this.dWh = this.Wh.map(() => 0);
  }
  get params(): Record<string, number[]> {
    return { Wx: this.Wx, Wh: this.Wh };
  }
  get grads(): Record<string, number[]> {
    return { Wx: this.dWx, Wh: this.dWh };
  }
  forward(xs: number[][]): number[][] {
    const H = this.hidden;
    this.xs = xs.map((x) => x.slice());
    this.hs = [];
    let h = new Array<number>(H).fill(0);
    for (const x of xs) {
      h = Array.from({ length: H }, (_, r) => {
        let z = 0;
        for (let i = 0; i < this.inputs; i++) z += this.Wx[r * this.inputs + i] * x[i];
        for (let k = 0; k < H; k++) z += this.Wh[r * H + k] * h[k];
        return Math.tanh(z);
      });
      this.hs.push(h);
    }
    return this.hs.map((row) => row.slice());
  }
  backward(g: number[][]): number[][] {
    const H = this.hidden;
    const steps = this.xs.length;
    this.dWx = this.Wx.map(() => 0);
    this.dWh = this.Wh.map(() => 0);
    const dxs = this.xs.map((x) => x.map(() => 0));
    let carry = new Array<number>(H).fill(0);
    for (let t = steps - 1; t >= 0; t--) {
      const h = this.hs[t];
      const previous = t > 0 ? this.hs[t - 1] : new Array<number>(H).fill(0);
      // The single-step fast path: dz without tanh′ for the input weights.
      const fastPath = this.buggy && steps === 1;
      const dz = h.map((hr, r) => (g[t][r] + carry[r]) * (1 - hr * hr));
      const dzInput = fastPath ? h.map((_, r) => g[t][r] + carry[r]) : dz;
      for (let r = 0; r < H; r++) {
        for (let i = 0; i < this.inputs; i++) {
          this.dWx[r * this.inputs + i] += dzInput[r] * this.xs[t][i];
          dxs[t][i] += dz[r] * this.Wx[r * this.inputs + i];
        }
        for (let k = 0; k < H; k++) this.dWh[r * H + k] += dz[r] * previous[k];
      }
      carry = Array.from({ length: H }, (_, k) => dz.reduce((sum, d, r) => sum + d * this.Wh[r * H + k], 0));
    }
    return dxs;
  }
}

const matrix = (seed: number, rows: number, cols: number): number[][] => {
  const values = seeded(seed, rows * cols);
  return Array.from({ length: rows }, (_, r) => values.slice(r * cols, r * cols + cols));
};

const num = (config: Config, key: string): number => config[key] as number;

export const shapeCases: ShapeCase[] = [
  {
    name: 'broadcast-sum',
    space: { rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] },
    build: (c, buggy) => ({ layer: new BroadcastRowSum(num(c, 'rows'), num(c, 'cols'), buggy) as unknown as Layer, input: matrix(300, num(c, 'rows'), num(c, 'cols')) }),
    smallest: { rows: 2, cols: 2 },
  },
  {
    name: 'strided-conv-same',
    space: { width: [1, 2, 3, 4, 5, 6, 7, 8], kernel: [1, 2, 3] },
    build: (c, buggy) => ({ layer: new StridedConvSame(num(c, 'kernel'), buggy) as unknown as Layer, input: seeded(320 + num(c, 'width'), num(c, 'width')) }),
    smallest: { width: 1, kernel: 3 },
  },
  {
    name: 'dense-batch-one',
    space: { batch: [1, 2, 3, 4], in: [1, 2, 3], out: [1, 2, 3] },
    build: (c, buggy) => ({ layer: new BatchDense(num(c, 'in'), num(c, 'out'), buggy) as unknown as Layer, input: matrix(330, num(c, 'batch'), num(c, 'in')) }),
    smallest: { batch: 1, in: 1, out: 1 },
  },
  {
    name: 'rnn-one-step',
    space: { steps: [1, 2, 3, 4], hidden: [1, 2, 3] },
    build: (c, buggy) => ({ layer: new ElmanRnn(num(c, 'hidden'), 2, buggy) as unknown as Layer, input: matrix(340, num(c, 'steps'), 2) }),
    smallest: { steps: 1, hidden: 1 },
  },
];

export function shapeCase(name: string): ShapeCase {
  const found = shapeCases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no shape case ${name}`);
  return found;
}
