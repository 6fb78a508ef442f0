/**
 * A dense layer with a learned PReLU activation, written the way a small hand-rolled JavaScript
 * NN library writes it, not in the checker's protocol:
 *   z = x·Wᵀ + b,   y = prelu(z) = z if z > 0, else α·z
 * over a batch (x: batch×in, y: batch×out).
 *
 * Library conventions the checker has to cope with:
 * - every tensor is a `Matrix` whose storage is #private: `weights` (out×in), `bias` (1×out),
 *   and the input are only reachable through `get`/`set`;
 * - the PReLU slope `alpha` is a plain SCALAR `number` field (init 0.25), its gradient `dAlpha`
 *   a scalar too;
 * - `backward(gradOutput)` returns dInput and ASSIGNS fresh `Matrix` objects to `dWeights` and
 *   `dBias` (and a number to `dAlpha`): the gradient objects read before a backward are not the
 *   ones holding its result, and nothing is accumulated.
 *
 * Sizes: batch 3, in 4, out 5 (20 weights + 5 biases + α = 26 parameters). The seeded weights and
 * sample input are drawn (seeds in order) until every pre-activation has |z| ≥ 0.05 — far from the
 * kink at 0, so finite differences never straddle it — and at least 4 of the 15 are negative,
 * so α gets a gradient of size.
 */
import { checkBug, createRng, randn, type BugSpec } from '../tensor-utils.js';
import { Matrix } from './matrix.js';

export const PRELU_DENSE_BUGS: BugSpec[] = [
  {
    name: 'alpha-grad-sums-positive-side',
    description: 'dα sums g·z over the units with z > 0 (the mask copied from the slope-1 branch) instead of z ≤ 0.',
    wrongTensors: ['alpha'],
  },
  {
    name: 'alpha-grad-uses-output',
    description: 'dα sums g·y over the negative units, using the cached output y = α·z instead of the pre-activation z (α times too small).',
    wrongTensors: ['alpha'],
  },
  {
    name: 'bias-grad-first-row-only',
    description: 'dBias is the first row of dZ instead of its sum over the batch: right for batch size 1.',
    wrongTensors: ['bias'],
  },
  {
    name: 'input-grad-misses-prelu-slope',
    description: 'dInput is g·W, propagating the upstream gradient through the activation as if it were the identity, instead of dZ·W.',
    wrongTensors: ['input'],
  },
  {
    name: 'weight-grad-skips-last-sample',
    description: 'The hand-written dWeights loop runs `n < batch - 1`, dropping the last sample of the batch.',
    wrongTensors: ['weights'],
  },
];

const BATCH = 3;
const IN = 4;
const OUT = 5;
const MIN_ABS_PREACTIVATION = 0.05;
const MIN_NEGATIVE_UNITS = 4;

export interface PReLUDenseOptions {
  /** First seed tried for the weights, biases and sample input. */
  seed?: number;
  bug?: string;
}

function matrixOf(rows: number, cols: number, values: readonly number[]): Matrix {
  return Matrix.zeros(rows, cols).map((_, r, c) => values[r * cols + c]);
}

export class PReLUDense {
  weights: Matrix;
  bias: Matrix;
  alpha: number;
  dWeights: Matrix;
  dBias: Matrix;
  dAlpha: number;
  private readonly bug: string | undefined;
  private readonly inputValues: number[];
  private lastInput: Matrix | null = null;
  private lastPreActivation: Matrix | null = null;
  private lastOutput: Matrix | null = null;

  constructor(
    readonly inputSize = IN,
    readonly outputSize = OUT,
    options: PReLUDenseOptions = {},
  ) {
    checkBug(options.bug, PRELU_DENSE_BUGS);
    this.bug = options.bug;
    this.alpha = 0.25;
    let drawn: { weights: number[]; bias: number[]; input: number[] } | null = null;
    for (let seed = options.seed ?? 40_101; drawn === null; seed++) {
      const rng = createRng(seed);
      const weights = randn(rng, outputSize * inputSize, 0.6);
      const bias = randn(rng, outputSize, 0.3);
      const input = randn(rng, BATCH * inputSize);
      const z = matrixOf(BATCH, inputSize, input)
        .multiply(matrixOf(outputSize, inputSize, weights).transpose())
        .add(matrixOf(1, outputSize, bias))
        .toArray()
        .flat();
      const clearOfKink = z.every((v) => Math.abs(v) >= MIN_ABS_PREACTIVATION);
      if (clearOfKink && z.filter((v) => v < 0).length >= MIN_NEGATIVE_UNITS) drawn = { weights, bias, input };
    }
    this.weights = matrixOf(outputSize, inputSize, drawn.weights);
    this.bias = matrixOf(1, outputSize, drawn.bias);
    this.inputValues = drawn.input;
    this.dWeights = Matrix.zeros(outputSize, inputSize);
    this.dBias = Matrix.zeros(1, outputSize);
    this.dAlpha = 0;
  }

  /** A fresh batch×in input (batch 3) whose pre-activations are all clear of the kink. */
  sampleInput(): Matrix {
    return matrixOf(BATCH, this.inputSize, this.inputValues);
  }

  forward(input: Matrix): Matrix {
    if (input.cols !== this.inputSize) throw new RangeError(`PReLUDense: input has ${input.cols} columns, expected ${this.inputSize}`);
    const alpha = this.alpha;
    const z = input.multiply(this.weights.transpose()).add(this.bias);
    const y = z.map((v) => (v > 0 ? v : alpha * v));
    this.lastInput = input.clone();
    this.lastPreActivation = z;
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Matrix): Matrix {
    if (this.lastInput === null || this.lastPreActivation === null || this.lastOutput === null) {
      throw new Error('PReLUDense: backward before forward');
    }
    const x = this.lastInput;
    const z = this.lastPreActivation;
    const y = this.lastOutput;
    const alpha = this.alpha;
    const gradZ = gradOutput.hadamard(z.map((v) => (v > 0 ? 1 : alpha)));

    // dα = Σ g·∂y/∂α, and ∂y/∂α = z on the negative side, 0 elsewhere.
    let dAlpha = 0;
    for (let n = 0; n < z.rows; n++) {
      for (let o = 0; o < z.cols; o++) {
        const zno = z.get(n, o);
        const g = gradOutput.get(n, o);
        if (this.bug === 'alpha-grad-sums-positive-side') {
          if (zno > 0) dAlpha += g * zno;
        } else if (zno <= 0) {
          dAlpha += g * (this.bug === 'alpha-grad-uses-output' ? y.get(n, o) : zno);
        }
      }
    }

    const dWeights = Matrix.zeros(this.outputSize, this.inputSize);
    const lastSample = this.bug === 'weight-grad-skips-last-sample' ? x.rows - 1 : x.rows;
    for (let o = 0; o < this.outputSize; o++) {
      for (let i = 0; i < this.inputSize; i++) {
        let sum = 0;
        for (let n = 0; n < lastSample; n++) sum += gradZ.get(n, o) * x.get(n, i);
        dWeights.set(o, i, sum);
      }
    }

    this.dWeights = dWeights;
    this.dBias = this.bug === 'bias-grad-first-row-only' ? gradZ.map((v, r) => (r === 0 ? v : 0)).columnSums() : gradZ.columnSums();
    this.dAlpha = dAlpha;
    return (this.bug === 'input-grad-misses-prelu-slope' ? gradOutput : gradZ).multiply(this.weights);
  }
}

/** The 4→5 PReLUDense with its seeded weights, optionally with one of `PRELU_DENSE_BUGS`. */
export function makePReLUDense(bug?: string): PReLUDense {
  return new PReLUDense(IN, OUT, { bug });
}
