/**
 * Diagnosis traps: buggy layers whose failing entries look like another mistake's pattern. Each
 * names the diagnosis a careless rule would make (and must not: it would send the user the wrong
 * way, or invite declaring a real bug away) and the one the evidence supports, when there is one.
 * Seen in real suites; the corpus test asserts every trap over these layers.
 *
 * Every layer stores float64 `Float64Array`s in form (b) records (`params` / `grads` getters) and
 * writes its gradients fresh in each backward.
 */
import type { GradientCheckOptions } from '../../../src/check/options.js';
import type { Layer } from '../../../src/layer/protocol.js';
import { createRng, randn } from '../tensor-utils.js';

/** A diagnosis as the report gives it: kind on a tensor, with a suggested `gradientFactor` or a phrase in its message. */
export interface DiagnosisPattern {
  tensor: string;
  kind?: string;
  /** Matches only a diagnosis that suggests declaring a gradientFactor. */
  suggestsGradientFactor?: true;
  /** Matches only a diagnosis whose message contains this phrase. */
  says?: string;
  factor?: number;
}

export interface DiagnosisTrap {
  name: string;
  /** The bug, and why it looks like something else. */
  description: string;
  make(): Layer;
  options?: GradientCheckOptions;
  /** Tensors the bug makes wrong: the report must fail on them and no other. */
  wrongTensors: string[];
  /** What the report must not say. */
  misleading: DiagnosisPattern[];
  /** What it must say (every field given must match one diagnosis). */
  expected: DiagnosisPattern[];
  /** The trap is live only when the report fails this many entries (else the misleading rule would not even be tempted). */
  failingEntries?: number;
}

const fresh = (size: number): Float64Array => new Float64Array(size);

/** L = (1/N)·Σ (x − t)²; the input gradient comes back 5 × too large (a stray factor, no convention does that). */
class MseTimesFive {
  private readonly target = Float64Array.from(randn(createRng(71), 12));
  private residual = fresh(12);
  sampleInput(): Float64Array {
    return Float64Array.from(randn(createRng(72), 12));
  }
  forward(x: Float64Array): number {
    this.residual = x.map((v, i) => v - this.target[i]);
    return this.residual.reduce((s, r) => s + r * r, 0) / 12;
  }
  backward(g: number): Float64Array {
    return this.residual.map((r) => 5 * ((g * 2 * r) / 12));
  }
}

/** y[n] = W·x[n] over a batch; `wrong(i)` multiplies dW's entry i (and, with `all`, nothing else is touched). */
class BatchDense {
  readonly W: Float64Array;
  dW: Float64Array;
  private x = fresh(0);
  constructor(
    private readonly shape: { out: number; in: number; batch: number },
    private readonly inputValues: number[],
    private readonly dWFactor: (index: number) => number,
  ) {
    this.W = Float64Array.from(randn(createRng(73), shape.out * shape.in, 0.5));
    this.dW = fresh(this.W.length);
  }
  get params(): Record<string, Float64Array> {
    return { W: this.W };
  }
  get grads(): Record<string, Float64Array> {
    return { W: this.dW };
  }
  sampleInput(): Float64Array {
    return Float64Array.from(this.inputValues);
  }
  forward(x: Float64Array): Float64Array {
    this.x = Float64Array.from(x);
    const { out, in: inSize, batch } = this.shape;
    const y = fresh(batch * out);
    for (let n = 0; n < batch; n++) for (let o = 0; o < out; o++) for (let i = 0; i < inSize; i++) y[n * out + o] += this.W[o * inSize + i] * x[n * inSize + i];
    return y;
  }
  backward(g: Float64Array): Float64Array {
    const { out, in: inSize, batch } = this.shape;
    this.dW = fresh(this.W.length);
    const dx = fresh(batch * inSize);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < out; o++) {
        for (let i = 0; i < inSize; i++) {
          this.dW[o * inSize + i] += g[n * out + o] * this.x[n * inSize + i];
          dx[n * inSize + i] += g[n * out + o] * this.W[o * inSize + i];
        }
      }
    }
    this.dW = this.dW.map((v, i) => v * this.dWFactor(i));
    return dx;
  }
}

/** y = w ⊙ x over 8000 entries; dw is doubled on every 40th entry (200 wrong, scattered). */
class WideScaleEveryFortieth {
  readonly w = Float64Array.from(randn(createRng(74), 8000, 0.5));
  dw = fresh(8000);
  private x = fresh(8000);
  get params(): Record<string, Float64Array> {
    return { w: this.w };
  }
  get grads(): Record<string, Float64Array> {
    return { w: this.dw };
  }
  sampleInput(): Float64Array {
    return Float64Array.from(randn(createRng(75), 8000));
  }
  forward(x: Float64Array): Float64Array {
    this.x = Float64Array.from(x);
    return x.map((v, i) => v * this.w[i]);
  }
  backward(g: Float64Array): Float64Array {
    this.dw = g.map((v, i) => v * this.x[i] * (i % 40 === 7 ? 2 : 1));
    return g.map((v, i) => v * this.w[i]);
  }
}

/**
 * y[n] = x[n]ᵀ·W·x[n] for a D × D weight: dW = Σ g[n]·x[n]·x[n]ᵀ is symmetric. The bug adds a stray
 * g[n]·x[n]ᵢ to the upper triangle only, so no one factor explains it.
 */
class QuadraticFormUpperWrong {
  readonly W: Float64Array;
  dW: Float64Array;
  private x = fresh(0);
  constructor(private readonly D: number) {
    this.W = Float64Array.from(randn(createRng(76), D * D, 0.5));
    this.dW = fresh(D * D);
  }
  get params(): Record<string, Float64Array> {
    return { W: this.W };
  }
  get grads(): Record<string, Float64Array> {
    return { W: this.dW };
  }
  sampleInput(): Float64Array {
    return Float64Array.from(randn(createRng(77), 3 * this.D));
  }
  forward(x: Float64Array): Float64Array {
    const D = this.D;
    this.x = Float64Array.from(x);
    const y = fresh(3);
    for (let n = 0; n < 3; n++) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) y[n] += x[n * D + i] * this.W[i * D + j] * x[n * D + j];
    return y;
  }
  backward(g: Float64Array): Float64Array {
    const D = this.D;
    this.dW = fresh(D * D);
    const dx = fresh(3 * D);
    for (let n = 0; n < 3; n++) {
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < D; j++) {
          this.dW[i * D + j] += g[n] * this.x[n * D + i] * (this.x[n * D + j] + (i < j ? 1 : 0));
          dx[n * D + i] += g[n] * this.W[i * D + j] * this.x[n * D + j];
          dx[n * D + j] += g[n] * this.x[n * D + i] * this.W[i * D + j];
        }
      }
    }
    return dx;
  }
}

/** y[n] = W[:, ids[n]] (a column gather, no mask anywhere); backward writes each gradient to column ids[n] + 1. */
class ColumnGatherShifted {
  static readonly ids = [1, 4, 2];
  readonly W = Float64Array.from(randn(createRng(78), 3 * 7, 0.5));
  dW = fresh(21);
  get params(): Record<string, Float64Array> {
    return { W: this.W };
  }
  get grads(): Record<string, Float64Array> {
    return { W: this.dW };
  }
  forward(): Float64Array {
    const y = fresh(9);
    ColumnGatherShifted.ids.forEach((id, n) => {
      for (let r = 0; r < 3; r++) y[n * 3 + r] = this.W[r * 7 + id];
    });
    return y;
  }
  backward(g: Float64Array): void {
    this.dW = fresh(21);
    ColumnGatherShifted.ids.forEach((id, n) => {
      for (let r = 0; r < 3; r++) this.dW[r * 7 + id + 1] += g[n * 3 + r];
    });
  }
}

/** An embedding (table 6 × 4, ids [0, 2, 4, 1]) whose row 0 gets 3 × its gradient: the first sample's token is 0. */
class EmbeddingTokenZeroTimesThree {
  static readonly ids = [0, 2, 4, 1];
  readonly table = Float64Array.from(randn(createRng(79), 24, 0.5));
  dTable = fresh(24);
  get params(): Record<string, Float64Array> {
    return { table: this.table };
  }
  get grads(): Record<string, Float64Array> {
    return { table: this.dTable };
  }
  forward(): number[][] {
    return EmbeddingTokenZeroTimesThree.ids.map((id) => Array.from(this.table.subarray(id * 4, id * 4 + 4)));
  }
  backward(g: number[][]): void {
    this.dTable = fresh(24);
    EmbeddingTokenZeroTimesThree.ids.forEach((id, n) => {
      for (let d = 0; d < 4; d++) this.dTable[id * 4 + d] += (id === 0 ? 3 : 1) * g[n][d];
    });
  }
}

/** y = A ⊙ X for a 4 × 4 input X; the input gradient comes back transposed. The layer has no weights. */
class InputTransposed {
  private readonly A = Float64Array.from(randn(createRng(80), 16));
  sampleInput(): number[][] {
    const x = randn(createRng(81), 16);
    return [0, 1, 2, 3].map((r) => x.slice(r * 4, r * 4 + 4));
  }
  forward(x: number[][]): number[][] {
    return x.map((row, r) => row.map((v, c) => v * this.A[r * 4 + c]));
  }
  backward(g: number[][]): number[][] {
    return g.map((row, r) => row.map((_, c) => g[c][r] * this.A[c * 4 + r]));
  }
}

/** A parameter named `input` (a learned input, as in feature visualisation) in a layer with no input; its gradient is doubled. */
class LearnedInputDoubled {
  readonly input = Float64Array.from(randn(createRng(82), 5));
  dInput = fresh(5);
  get params(): Record<string, Float64Array> {
    return { input: this.input };
  }
  get grads(): Record<string, Float64Array> {
    return { input: this.dInput };
  }
  forward(): Float64Array {
    return this.input.map((v) => v * v);
  }
  backward(g: Float64Array): void {
    this.dInput = g.map((v, i) => 2 * (2 * v * this.input[i]));
  }
}

/** y[n, j] = x[n, j] + b for one scalar b over a batch of 4; db is Σ g times `factor` (1/4: averaged, 4: counted per sample). */
class ScalarBiasOffByBatch {
  readonly b = Float64Array.of(0.3);
  db = fresh(1);
  constructor(private readonly factor: number) {}
  get params(): Record<string, Float64Array> {
    return { b: this.b };
  }
  get grads(): Record<string, Float64Array> {
    return { b: this.db };
  }
  sampleInput(): number[][] {
    const x = randn(createRng(83), 12);
    return [0, 1, 2, 3].map((n) => x.slice(n * 3, n * 3 + 3));
  }
  forward(x: number[][]): number[][] {
    return x.map((row) => row.map((v) => v + this.b[0]));
  }
  backward(g: number[][]): number[][] {
    this.db = Float64Array.of(this.factor * g.flat().reduce((s, v) => s + v, 0));
    return g.map((row) => row.slice());
  }
}

const denseInput = randn(createRng(84), 2 * 8);
const paddedInput = [...randn(createRng(85), 4), 0, 0, 0, 0];
const SCATTERED = new Set([5, 22, 41]);

export const diagnosisTraps: DiagnosisTrap[] = [
  {
    name: 'mse-input-times-5',
    description: 'An MSE whose input gradient is 5 × too large: a factor no convention produces, so no gradientFactor may be suggested.',
    make: () => new MseTimesFive() as unknown as Layer,
    wrongTensors: ['input'],
    misleading: [{ tensor: 'input', suggestsGradientFactor: true }],
    expected: [{ tensor: 'input', kind: 'scale', factor: 5 }],
  },
  {
    name: 'dense-3-scattered-of-48-doubled',
    description: 'Three scattered entries of a 6 × 8 weight gradient are doubled: a factor on those entries, not a convention of the tensor.',
    make: () => new BatchDense({ out: 6, in: 8, batch: 2 }, denseInput, (i) => (SCATTERED.has(i) ? 2 : 1)) as unknown as Layer,
    wrongTensors: ['W'],
    misleading: [{ tensor: 'W', suggestsGradientFactor: true }],
    expected: [{ tensor: 'W', kind: 'scale', factor: 2, says: 'on the 3 failing entries' }],
    failingEntries: 3,
  },
  {
    name: 'sampled-one-failure-of-many',
    description: 'Every 40th of 8000 entries is doubled; a 20-entry sample happens to hold one of them. One failing sample is no proof that only one entry is wrong.',
    make: () => new WideScaleEveryFortieth() as unknown as Layer,
    options: { sample: 20, checkInput: false, seed: 11 },
    wrongTensors: ['w'],
    misleading: [{ tensor: 'w', kind: 'single-entry' }],
    expected: [],
    failingEntries: 1,
  },
  {
    name: 'symmetric-gradient-upper-triangle-wrong',
    description: 'A symmetric weight gradient (x·xᵀ) wrong in its upper triangle: the correct lower triangle is the failing entries\' transpose, but nothing was transposed.',
    make: () => new QuadraticFormUpperWrong(6) as unknown as Layer,
    options: { mode: 'projection' },
    wrongTensors: ['W'],
    misleading: [{ tensor: 'W', kind: 'transpose' }],
    expected: [],
  },
  {
    name: 'zero-padded-batch-times-2',
    description: 'A weight gradient doubled, where the second sample is zero padding: cutting the upstream gradient to the first sample changes nothing, but the bug is the factor.',
    make: () => new BatchDense({ out: 3, in: 4, batch: 2 }, paddedInput, () => 2) as unknown as Layer,
    wrongTensors: ['W'],
    misleading: [{ tensor: 'W', kind: 'batch-row' }],
    expected: [{ tensor: 'W', kind: 'scale', factor: 2 }],
  },
  {
    name: 'column-gather-index-off-by-one',
    description: 'A column gather writes each gradient one column to the right: gradient where forward is flat and none where it is not, but from an index, with no mask in the layer.',
    make: () => new ColumnGatherShifted() as unknown as Layer,
    wrongTensors: ['W'],
    misleading: [{ tensor: 'W', kind: 'kink-side' }],
    expected: [],
  },
  {
    name: 'embedding-token-0-times-3',
    description: 'An embedding whose row 0 gets 3 × its gradient; token 0 is the first sample\'s, so cutting the others changes nothing there.',
    make: () => new EmbeddingTokenZeroTimesThree() as unknown as Layer,
    wrongTensors: ['table'],
    misleading: [{ tensor: 'table', kind: 'batch-row' }],
    expected: [{ tensor: 'table', kind: 'scale', factor: 3 }],
  },
  {
    name: 'input-gradient-transposed',
    description: 'An elementwise product whose input gradient comes back transposed: a transposition, but of the input, which has no weights.',
    make: () => new InputTransposed() as unknown as Layer,
    wrongTensors: ['input'],
    misleading: [{ tensor: 'input', says: 'weight' }],
    expected: [{ tensor: 'input', kind: 'transpose' }],
  },
  {
    name: 'parameter-named-input-without-input',
    description: 'A parameter named `input` in a layer that takes no input: its name is the report\'s, never `params.input`.',
    make: () => new LearnedInputDoubled() as unknown as Layer,
    wrongTensors: ['input'],
    misleading: [{ tensor: 'params.input' }],
    expected: [{ tensor: 'input', kind: 'scale', factor: 2 }],
  },
  {
    name: 'scalar-bias-averaged-over-batch',
    description: 'A scalar bias whose gradient is divided by the batch of 4: one entry, off by exactly the batch factor (a convention it may be, so declaring it is suggested).',
    make: () => new ScalarBiasOffByBatch(1 / 4) as unknown as Layer,
    wrongTensors: ['b'],
    misleading: [],
    expected: [{ tensor: 'b', kind: 'scale', factor: 1 / 4, suggestsGradientFactor: true }],
  },
  {
    name: 'scalar-bias-counted-per-sample',
    description: 'A scalar bias whose gradient is 4 × too large, one per sample of the batch: a factor to fix, not to declare.',
    make: () => new ScalarBiasOffByBatch(4) as unknown as Layer,
    wrongTensors: ['b'],
    misleading: [{ tensor: 'b', suggestsGradientFactor: true }],
    expected: [{ tensor: 'b', kind: 'scale', factor: 4 }],
  },
];
