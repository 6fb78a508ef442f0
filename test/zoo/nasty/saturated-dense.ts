/**
 * Nasty but correct: y = act(x·Wᵀ + b) on a nested [3][4] batch with 5 units, where units 1 and 3
 * carry biases of +B and −B and weights small enough that every sample drives them deep into
 * saturation, while units 0, 2 and 4 stay in the normal range (|z| ≤ 2):
 * - `saturated-tanh`: B = 10.75, |z| ∈ [10, 11.5], so 1 − tanh² ∈ [4e-10, 8e-9] in float64; in
 *   float32 tanh(z) rounds to exactly ±1 (1 − tanh(10) ≈ 4e-9 is below half an ulp of 1), so the
 *   derivative, and every gradient through those units, is exactly 0;
 * - `saturated-sigmoid`: B = 12, |z| ∈ [11, 13], so σ′ ∈ [2e-6, 2e-5]; in float32 σ(z) near 1
 *   holds 1 − σ to only ~0.5 %, and the derivative taken from it inherits that.
 * The W rows and b entries of the saturated units are correct but unresolved: their finite
 * difference's error bar exceeds the tolerance relative to the gradient (float32: the bar is as
 * large as the gradient or larger; float64: 1e-3 to 1e-1 of it for tanh, 1e-6 to 1e-5 for sigmoid,
 * just above the 1e-6 tolerance). The input gradient flows through the live units.
 *
 * Backward takes the derivative from the output it returned (1 − y² and y·(1 − y), as frameworks
 * do, e.g. PyTorch's tanh_backward), so float32 rounding of y is part of the layer, not a bug.
 * Parameters in form (a): records named `W` (5×4) and `b` (5).
 */
import type { Layer, ParamRecord } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import {
  checkBug,
  createRng,
  flatStore,
  flatten,
  matmulRowsByTransposed,
  pack,
  randn,
  sigmoid,
  variants,
  writeInto,
  type BugSpec,
} from '../advanced/util.js';

const N = 3;
const IN = 4;
const OUT = 5;
/** Sign of each unit's saturating bias (0: a unit in the normal range). */
const SATURATION = [0, 1, 0, -1, 0];
/** Normal units keep |z| ≤ this for every sample, so their derivative is not itself tiny. */
const NORMAL_RANGE = 2;

interface SaturatingActivation {
  name: string;
  /** |bias| of the saturated units. */
  bias: number;
  /** Largest |Σ W·x| allowed on a saturated unit: its |z| stays within bias ± swing. */
  swing: number;
  apply(z: number): number;
  /** The derivative written in terms of the activation's output. */
  slopeFromOutput(y: number): number;
  bugs: BugSpec[];
}

const TANH: SaturatingActivation = {
  name: 'saturated-tanh',
  bias: 10.75,
  swing: 0.75,
  apply: Math.tanh,
  slopeFromOutput: (y) => 1 - y * y,
  bugs: [
    {
      name: 'tanh-derivative-from-preactivation',
      description: 'The tanh derivative is computed as 1 − z² from the pre-activation instead of 1 − y² from the output.',
      wrongTensors: ['W', 'b', 'input'],
    },
    {
      name: 'bias-grad-sign-flipped',
      description: 'The bias gradient has the wrong sign (db −= dz).',
      wrongTensors: ['b'],
    },
    {
      name: 'input-grad-weights-transposed',
      description: 'The input gradient reads W as if it were stored [in][out]: W[k][j] in place of W[j][k].',
      wrongTensors: ['input'],
    },
  ],
};

const SIGMOID: SaturatingActivation = {
  name: 'saturated-sigmoid',
  bias: 12,
  swing: 1,
  apply: sigmoid,
  slopeFromOutput: (y) => y * (1 - y),
  bugs: [
    {
      name: 'derivative-missing-one-minus-y',
      description: 'The sigmoid derivative is taken as y instead of y·(1 − y).',
      wrongTensors: ['W', 'b', 'input'],
    },
    {
      name: 'weight-grad-times-2',
      description: 'The weight gradient is doubled.',
      wrongTensors: ['W'],
    },
    {
      name: 'input-grad-without-activation-derivative',
      description: 'The input gradient backpropagates the upstream gradient through W but skips the sigmoid derivative.',
      wrongTensors: ['input'],
    },
  ],
};

export class SaturatedDense implements Layer {
  readonly params: ParamRecord[];
  private readonly inputValues: number[];
  private readonly round: (v: number) => number;
  private cache: { x: Float64Array; z: Float64Array; y: Float64Array } | null = null;

  constructor(
    private readonly activation: SaturatingActivation,
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, activation.bugs);
    this.round = dtype === 'float32' ? Math.fround : (v) => v;
    // Draw (seeds in order) until every unit sits in its band for every sample, as stored in float32 too.
    let found: { w: number[]; b: number[]; x: number[] } | null = null;
    for (let seed = 31_101; found === null; seed++) {
      const rng = createRng(seed);
      const w = randn(rng, OUT * IN, 0.5).map((v, i) => (SATURATION[Math.floor(i / IN)] === 0 ? v : 0.3 * v));
      const b = randn(rng, OUT, 0.3).map((v, j) => (SATURATION[j] === 0 ? v : SATURATION[j] * activation.bias));
      const x = randn(rng, N * IN);
      if (this.inBands(w, b, x) && this.inBands(w.map(Math.fround), b.map(Math.fround), x.map(Math.fround))) found = { w, b, x };
    }
    this.params = [
      { name: 'W', value: pack('nested', dtype, found.w, [OUT, IN]), grad: pack('nested', dtype, new Float64Array(OUT * IN), [OUT, IN]) },
      { name: 'b', value: flatStore(dtype, found.b), grad: flatStore(dtype, new Float64Array(OUT)) },
    ];
    this.inputValues = found.x;
  }

  private inBands(w: number[], b: number[], x: number[]): boolean {
    const z = SaturatedDense.preactivation(Float64Array.from(x), Float64Array.from(w), Float64Array.from(b));
    return z.every((v, i) => {
      const j = i % OUT;
      if (SATURATION[j] === 0) return Math.abs(v) <= NORMAL_RANGE;
      return Math.abs(v - b[j]) <= this.activation.swing;
    });
  }

  private static preactivation(x: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
    const z = matmulRowsByTransposed(x, w, N, IN, OUT);
    for (let i = 0; i < z.length; i++) z[i] += b[i % OUT];
    return z;
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const z = SaturatedDense.preactivation(x, flatten(this.params[0].value), flatten(this.params[1].value));
    // The output as stored: the backward's derivative is taken from these rounded values.
    const y = z.map((v) => this.round(this.activation.apply(v)));
    this.cache = { x, z, y };
    return pack('nested', this.dtype, y, [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error(`${this.activation.name}: backward before forward`);
    const { x, z, y } = this.cache;
    const g = flatten(gradOutput);
    const w = flatten(this.params[0].value);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const i = n * OUT + j;
        const slope =
          this.bug === 'tanh-derivative-from-preactivation'
            ? 1 - z[i] * z[i]
            : this.bug === 'derivative-missing-one-minus-y'
              ? y[i]
              : this.activation.slopeFromOutput(y[i]);
        const dz = g[i] * slope;
        db[j] += this.bug === 'bias-grad-sign-flipped' ? -dz : dz;
        const dzToInput = this.bug === 'input-grad-without-activation-derivative' ? g[i] : dz;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += (this.bug === 'weight-grad-times-2' ? 2 : 1) * dz * x[n * IN + k];
          dx[n * IN + k] += dzToInput * (this.bug === 'input-grad-weights-transposed' ? w[k * OUT + j] : w[j * IN + k]);
        }
      }
    }
    writeInto(this.params[0].grad, dW);
    writeInto(this.params[1].grad, db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

const entryFor = (activation: SaturatingActivation): ZooEntry => ({
  name: activation.name,
  nasty: true,
  make: (dtype) => new SaturatedDense(activation, dtype),
  bugs: variants((dtype, bug) => new SaturatedDense(activation, dtype, bug), activation.bugs),
});

export const saturatedTanhEntry = entryFor(TANH);
export const saturatedSigmoidEntry = entryFor(SIGMOID);
