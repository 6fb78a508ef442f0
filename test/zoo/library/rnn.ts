/**
 * An Elman RNN (tanh) unrolled over a whole sequence, written the way a small hand-rolled
 * JavaScript NN library writes it, not in the checker's protocol:
 *   h_t = tanh(Wx·x_t + Wh·h_{t−1} + b),   h_{−1} = 0,   t = 0 … T−1
 * for every sample of a batch. `forward(sequence)` takes [T][batch][input] and returns every hidden
 * state, [T][batch][hidden]; `backward(gradStates)` (same shape as the states) runs backpropagation
 * through time and returns the input gradient [T][batch][input].
 *
 * Library conventions the checker has to cope with:
 * - the parameters live in `this.weights = { Wx, Wh, b }`, flat row-major `Float64Array`s
 *   (Wx hidden×input, Wh hidden×hidden, b hidden);
 * - parameter gradients are never exposed as fields: backward ADDS them to #private accumulators,
 *   and the only way to see them is `update(optimizer)`, which calls
 *   `optimizer.step(name, param, grad)` for 'Wx', 'Wh', 'b' in that order, handing over the
 *   accumulators THEMSELVES, and zeroes them right after. An optimizer that wants to keep a
 *   gradient must copy it inside `step`;
 * - the parameter gradients are AVERAGED over the batch (divided by the batch size) before they
 *   reach the optimizer: by design, this library trains on the mean loss. So the gradient of the
 *   summed loss Σ g·h with respect to Wx, Wh, b is batch × what `step` receives. The input gradient
 *   is per sample and NOT divided.
 *
 * Sizes: T 3, batch 2, input 3, hidden 4 (12 + 16 + 4 = 32 parameters, 18 input entries).
 */
import { checkBug, createRng, randn, type BugSpec } from '../tensor-utils.js';

const ALL = ['Wx', 'Wh', 'b', 'input'];

export const SIMPLE_RNN_BUGS: BugSpec[] = [
  {
    name: 'bptt-truncated-to-one-step',
    description:
      'The gradient reaching h_t from h_{t+1} through Wh is dropped: each step only sees its own upstream gradient. ' +
      'Every earlier step then misses its future terms, so all gradients but the last step\'s are wrong.',
    wrongTensors: ALL,
  },
  {
    name: 'tanh-derivative-from-preactivation',
    description: 'The tanh derivative is computed as 1 − a² from the pre-activation a instead of 1 − h² from the state h = tanh(a).',
    wrongTensors: ALL,
  },
  {
    name: 'recurrent-grad-uses-current-state',
    description: 'Off-by-one in time: the Wh gradient multiplies dA_t by h_t instead of h_{t−1}.',
    wrongTensors: ['Wh'],
  },
  {
    name: 'bias-grad-not-averaged',
    description: "The bias accumulator is not divided by the batch size, breaking the library's mean-over-batch convention (b only, 2× too large).",
    wrongTensors: ['b'],
  },
  {
    name: 'input-grad-averaged',
    description: 'The batch averaging meant for the parameter gradients is also applied to the input gradient (2× too small).',
    wrongTensors: ['input'],
  },
];

const T = 3;
const BATCH = 2;
const INPUT = 3;
const HIDDEN = 4;

/** What `update` hands the gradients to, e.g. an SGD or Adam step keyed by parameter name. */
export interface RnnOptimizer {
  step(name: string, param: Float64Array, grad: Float64Array): void;
}

export interface SimpleRNNOptions {
  seed?: number;
  inputSeed?: number;
  bug?: string;
}

export class SimpleRNN {
  readonly weights: { Wx: Float64Array; Wh: Float64Array; b: Float64Array };
  readonly #gradWx: Float64Array;
  readonly #gradWh: Float64Array;
  readonly #gradB: Float64Array;
  readonly #bug: string | undefined;
  readonly #inputSeed: number;
  #cache: { xs: number[][][]; preActivations: number[][][]; states: number[][][] } | null = null;

  constructor(
    readonly inputSize = INPUT,
    readonly hiddenSize = HIDDEN,
    options: SimpleRNNOptions = {},
  ) {
    checkBug(options.bug, SIMPLE_RNN_BUGS);
    this.#bug = options.bug;
    this.#inputSeed = options.inputSeed ?? 40_302;
    const rng = createRng(options.seed ?? 40_301);
    this.weights = {
      Wx: Float64Array.from(randn(rng, hiddenSize * inputSize, 0.6)),
      Wh: Float64Array.from(randn(rng, hiddenSize * hiddenSize, 0.5)),
      b: Float64Array.from(randn(rng, hiddenSize, 0.3)),
    };
    this.#gradWx = new Float64Array(hiddenSize * inputSize);
    this.#gradWh = new Float64Array(hiddenSize * hiddenSize);
    this.#gradB = new Float64Array(hiddenSize);
  }

  /** A fresh seeded sequence [T 3][batch 2][input 3]. */
  sampleInput(): number[][][] {
    const rng = createRng(this.#inputSeed);
    return Array.from({ length: T }, () => Array.from({ length: BATCH }, () => randn(rng, this.inputSize)));
  }

  forward(sequence: number[][][]): number[][][] {
    const { Wx, Wh, b } = this.weights;
    const H = this.hiddenSize;
    const I = this.inputSize;
    const xs = sequence.map((step) => step.map((x) => {
      if (x.length !== I) throw new RangeError(`SimpleRNN: input vectors of ${x.length}, expected ${I}`);
      return [...x];
    }));
    const preActivations: number[][][] = [];
    const states: number[][][] = [];
    xs.forEach((step, t) => {
      const aStep: number[][] = [];
      const hStep: number[][] = [];
      step.forEach((x, n) => {
        const hPrev = t > 0 ? states[t - 1][n] : null;
        const a = new Array<number>(H);
        for (let j = 0; j < H; j++) {
          let sum = b[j];
          for (let i = 0; i < I; i++) sum += Wx[j * I + i] * x[i];
          if (hPrev !== null) for (let k = 0; k < H; k++) sum += Wh[j * H + k] * hPrev[k];
          a[j] = sum;
        }
        aStep.push(a);
        hStep.push(a.map(Math.tanh));
      });
      preActivations.push(aStep);
      states.push(hStep);
    });
    this.#cache = { xs, preActivations, states };
    return states.map((step) => step.map((h) => [...h]));
  }

  backward(gradStates: number[][][]): number[][][] {
    if (this.#cache === null) throw new Error('SimpleRNN: backward before forward');
    const { xs, preActivations, states } = this.#cache;
    const { Wx, Wh } = this.weights;
    const H = this.hiddenSize;
    const I = this.inputSize;
    const batch = xs[0].length;
    const bug = this.#bug;
    // The library's convention: parameter gradients are means over the batch.
    const perSample = 1 / batch;

    const dx: number[][][] = xs.map((step) => step.map(() => new Array<number>(I).fill(0)));
    let dhNext: number[][] = Array.from({ length: batch }, () => new Array<number>(H).fill(0));
    for (let t = xs.length - 1; t >= 0; t--) {
      const dhPrev: number[][] = Array.from({ length: batch }, () => new Array<number>(H).fill(0));
      for (let n = 0; n < batch; n++) {
        const x = xs[t][n];
        const h = states[t][n];
        const a = preActivations[t][n];
        const hPrev = t > 0 ? states[t - 1][n] : null;
        for (let j = 0; j < H; j++) {
          const dh = gradStates[t][n][j] + (bug === 'bptt-truncated-to-one-step' ? 0 : dhNext[n][j]);
          const dTanh = bug === 'tanh-derivative-from-preactivation' ? 1 - a[j] * a[j] : 1 - h[j] * h[j];
          const da = dh * dTanh;
          this.#gradB[j] += bug === 'bias-grad-not-averaged' ? da : da * perSample;
          for (let i = 0; i < I; i++) {
            this.#gradWx[j * I + i] += da * x[i] * perSample;
            dx[t][n][i] += da * Wx[j * I + i] * (bug === 'input-grad-averaged' ? perSample : 1);
          }
          const source = bug === 'recurrent-grad-uses-current-state' ? h : hPrev;
          if (source !== null) for (let k = 0; k < H; k++) this.#gradWh[j * H + k] += da * source[k] * perSample;
          if (hPrev !== null) for (let k = 0; k < H; k++) dhPrev[n][k] += da * Wh[j * H + k];
        }
      }
      dhNext = dhPrev;
    }
    return dx;
  }

  /** Hands each accumulated (batch-averaged) gradient to `optimizer.step`, then zeroes it. */
  update(optimizer: RnnOptimizer): void {
    optimizer.step('Wx', this.weights.Wx, this.#gradWx);
    optimizer.step('Wh', this.weights.Wh, this.#gradWh);
    optimizer.step('b', this.weights.b, this.#gradB);
    this.#gradWx.fill(0);
    this.#gradWh.fill(0);
    this.#gradB.fill(0);
  }
}

/** The 3→4 SimpleRNN with its seeded weights, optionally with one of `SIMPLE_RNN_BUGS`. */
export function makeSimpleRNN(bug?: string): SimpleRNN {
  return new SimpleRNN(INPUT, HIDDEN, { bug });
}
