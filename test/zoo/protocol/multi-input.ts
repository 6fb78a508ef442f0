/**
 * Layers of the protocol's two argument shapes beyond "one input": several inputs (`inputs(a, b)`,
 * `namedInputs({ query, key, value })`, backward returning one gradient per input) and no input at
 * all (a loss of the parameters alone, `forward()` declared without arguments). Each is small
 * enough that the entries a planted bug breaks can be stated by hand:
 *
 * - ScaledProduct   y = w ⊙ a ⊙ b + c on two 2×3 inputs; backward returns [da, db];
 * - WeightedSum     y = mix₀·query + mix₁·key + mix₂·value on three named inputs of 4; backward
 *                   returns { query, key, value } (or the same as an array);
 * - GatedValue      a named input `value` beside a parameter `value`: reported as `input.value`;
 * - L2Regularizer   loss = λ_W/2·‖W‖² + λ_b/2·‖b‖², forward() with no arguments, backward returns nothing.
 */
import { inputs, namedInputs, type MultipleInputs } from '../../../src/layer/multiple-inputs.js';
import type { NumericContainer } from '../../../src/layer/protocol.js';
import { checkBug, fillLike, flatten, pack, variants, writeInto, type BugSpec } from '../tensor-utils.js';
import type { Dtype, ZooEntry } from '../types.js';

type Storage = Float64Array | Float32Array;

const typed = (dtype: Dtype, values: readonly number[]): Storage => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values));

// ---------------------------------------------------------------------------------------------
// ScaledProduct: two positional inputs.

export const PRODUCT_SHAPE = [2, 3] as const;

/** Every entry of a differs from b's, so the swapped-gradients bug is wrong at every entry. */
export const PRODUCT_A = [1, -2, 0.5, 3, -1.5, 2];
export const PRODUCT_B = [-0.5, 1.5, 2.5, -1, 0.75, -2];

export const PRODUCT_BUGS: readonly BugSpec[] = [
  { name: 'db-entry-wrong', description: 'db[0][2] takes 1.5 times its value (a stray factor in one branch of an index loop).', wrongTensors: ['input[1]'] },
  { name: 'input-grads-swapped', description: 'backward returns [db, da]: both gradients right, in the wrong order.', wrongTensors: ['input[0]', 'input[1]'] },
  { name: 'dw-forgets-b', description: 'dw = g ⊙ a: the factor b left out of the chain rule.', wrongTensors: ['w'] },
  { name: 'dc-entry-dropped', description: 'dc[4] is never written, so it stays 0 (an off-by-one loop bound).', wrongTensors: ['c'] },
];

/** y = w ⊙ a ⊙ b + c for a, b of shape 2×3 (nested rows), w and c flat of 6; `forward(a, b)`. */
export class ScaledProduct {
  readonly w: Storage;
  readonly c: Storage;
  readonly dw: Storage;
  readonly dc: Storage;
  private cache: { a: Float64Array; b: Float64Array; aForm: unknown; bForm: unknown } | null = null;

  constructor(
    readonly dtype: Dtype = 'float64',
    readonly bug?: string,
  ) {
    checkBug(bug, PRODUCT_BUGS);
    this.w = typed(dtype, [0.8, -1.2, 1.5, 0.6, -0.9, 1.1]);
    this.c = typed(dtype, [0.1, -0.3, 0.2, 0.5, -0.4, 0.05]);
    this.dw = typed(dtype, new Array<number>(6).fill(0));
    this.dc = typed(dtype, new Array<number>(6).fill(0));
  }

  get params(): Record<string, Storage> {
    return { w: this.w, c: this.c };
  }

  get grads(): Record<string, Storage> {
    return { w: this.dw, c: this.dc };
  }

  sampleInput(): MultipleInputs {
    return inputs(pack('nested', this.dtype, PRODUCT_A, PRODUCT_SHAPE), pack('nested', this.dtype, PRODUCT_B, PRODUCT_SHAPE));
  }

  forward(a: unknown, b: unknown): NumericContainer {
    const av = flatten(a);
    const bv = flatten(b);
    this.cache = { a: av, b: bv, aForm: a, bForm: b };
    return pack('nested', this.dtype, av.map((v, i) => this.w[i] * v * bv[i] + this.c[i]), PRODUCT_SHAPE);
  }

  backward(gradOutput: unknown): unknown[] {
    if (this.cache === null) throw new Error('ScaledProduct: backward before forward');
    const { a, b, aForm, bForm } = this.cache;
    const g = flatten(gradOutput);
    const da = g.map((v, i) => v * this.w[i] * b[i]);
    const db = g.map((v, i) => v * this.w[i] * a[i]);
    if (this.bug === 'db-entry-wrong') db[2] *= 1.5;
    writeInto(this.dw, g.map((v, i) => (this.bug === 'dw-forgets-b' ? v * a[i] : v * a[i] * b[i])));
    for (let i = 0; i < 6; i++) if (!(this.bug === 'dc-entry-dropped' && i === 4)) this.dc[i] = g[i];
    const gradients = [fillLike(aForm, da), fillLike(bForm, db)];
    return this.bug === 'input-grads-swapped' ? [fillLike(aForm, db), fillLike(bForm, da)] : gradients;
  }
}

// ---------------------------------------------------------------------------------------------
// WeightedSum: three named inputs.

export const WEIGHTED_SUM_INPUTS = {
  query: [0.5, -1, 2, 1.5],
  key: [-2, 0.25, 1, -0.75],
  value: [1.2, -0.6, -1.8, 0.9],
} as const;

export const WEIGHTED_SUM_BUGS: readonly BugSpec[] = [
  { name: 'dkey-entry-wrong', description: 'dkey[1] is doubled (a gradient added twice at one index).', wrongTensors: ['key'] },
  { name: 'query-key-swapped', description: 'backward returns { query: dkey, key: dquery }: a copy-paste slip between the two branches.', wrongTensors: ['query', 'key'] },
  { name: 'dmix-value-uses-key', description: 'dmix[2] sums g ⊙ key instead of g ⊙ value.', wrongTensors: ['mix'] },
];

export interface WeightedSumOptions {
  dtype?: Dtype;
  bug?: string;
  /** How backward hands out the input gradients: a record keyed by the names (default) or an array in their order. */
  returns?: 'record' | 'array';
}

/** y = mix₀·query + mix₁·key + mix₂·value over 4 entries; `forward(query, key, value)`; dmix accumulates (`+=`). */
export class WeightedSum {
  readonly mix: Storage;
  readonly dmix: Storage;
  readonly dtype: Dtype;
  readonly bug: string | undefined;
  readonly returns: 'record' | 'array';
  private cache: { query: Float64Array; key: Float64Array; value: Float64Array } | null = null;

  constructor(options: WeightedSumOptions = {}) {
    this.dtype = options.dtype ?? 'float64';
    this.bug = options.bug;
    this.returns = options.returns ?? 'record';
    checkBug(this.bug, WEIGHTED_SUM_BUGS);
    this.mix = typed(this.dtype, [0.7, -1.3, 0.4]);
    this.dmix = typed(this.dtype, [0, 0, 0]);
  }

  get params(): Record<string, Storage> {
    return { mix: this.mix };
  }

  get grads(): Record<string, Storage> {
    return { mix: this.dmix };
  }

  sampleInput(): MultipleInputs {
    const { query, key, value } = WEIGHTED_SUM_INPUTS;
    return namedInputs({ query: typed(this.dtype, query), key: typed(this.dtype, key), value: typed(this.dtype, value) });
  }

  forward(query: unknown, key: unknown, value: unknown): Storage {
    const q = flatten(query);
    const k = flatten(key);
    const v = flatten(value);
    this.cache = { query: q, key: k, value: v };
    return typed(this.dtype, Array.from(q, (_, i) => this.mix[0] * q[i] + this.mix[1] * k[i] + this.mix[2] * v[i]));
  }

  backward(gradOutput: unknown): Record<string, Storage> | Storage[] {
    if (this.cache === null) throw new Error('WeightedSum: backward before forward');
    const { query, key, value } = this.cache;
    const g = flatten(gradOutput);
    const dot = (x: Float64Array): number => x.reduce((sum, xi, i) => sum + g[i] * xi, 0);
    this.dmix[0] += dot(query);
    this.dmix[1] += dot(key);
    this.dmix[2] += dot(this.bug === 'dmix-value-uses-key' ? key : value);
    const dquery = Array.from(g, (gi) => this.mix[0] * gi);
    const dkey = Array.from(g, (gi) => this.mix[1] * gi);
    const dvalue = Array.from(g, (gi) => this.mix[2] * gi);
    if (this.bug === 'dkey-entry-wrong') dkey[1] *= 2;
    const swapped = this.bug === 'query-key-swapped';
    const gradients = { query: typed(this.dtype, swapped ? dkey : dquery), key: typed(this.dtype, swapped ? dquery : dkey), value: typed(this.dtype, dvalue) };
    return this.returns === 'record' ? gradients : [gradients.query, gradients.key, gradients.value];
  }
}

// ---------------------------------------------------------------------------------------------
// GatedValue: a named input that shares its name with a parameter.

export const GATED_VALUE_BUGS: readonly BugSpec[] = [
  { name: 'dvalue-input-entry-negated', description: 'The input gradient of value has the wrong sign at [1].', wrongTensors: ['input.value'] },
  { name: 'dvalue-param-uses-key', description: 'The parameter gradient dvalue sums g ⊙ key instead of g ⊙ the value input.', wrongTensors: ['value'] },
];

/**
 * y = value ⊙ v + key ⊙ key for inputs `namedInputs({ value: v, key })` and a parameter also called
 * `value` (the gain of the value branch): the input is reported as `input.value`, while backward
 * returns `{ value, key }` under the names it was given.
 */
export class GatedValue {
  readonly value = Float64Array.from([1.5, -0.5, 2]);
  readonly dvalue = new Float64Array(3);
  private cache: { v: Float64Array; key: Float64Array } | null = null;

  constructor(readonly bug?: string) {
    checkBug(bug, GATED_VALUE_BUGS);
  }

  get params(): Record<string, Float64Array> {
    return { value: this.value };
  }

  get grads(): Record<string, Float64Array> {
    return { value: this.dvalue };
  }

  sampleInput(): MultipleInputs {
    return namedInputs({ value: Float64Array.from([0.4, 1.2, -0.8]), key: Float64Array.from([-1, 0.5, 2]) });
  }

  forward(v: Float64Array, key: Float64Array): Float64Array {
    this.cache = { v: Float64Array.from(v), key: Float64Array.from(key) };
    return v.map((vi, i) => this.value[i] * vi + key[i] * key[i]);
  }

  backward(g: Float64Array): Record<string, Float64Array> {
    if (this.cache === null) throw new Error('GatedValue: backward before forward');
    const { v, key } = this.cache;
    const from = this.bug === 'dvalue-param-uses-key' ? key : v;
    for (let i = 0; i < 3; i++) this.dvalue[i] = g[i] * from[i];
    const dv = g.map((gi, i) => gi * this.value[i]);
    if (this.bug === 'dvalue-input-entry-negated') dv[1] = -dv[1];
    return { value: dv, key: g.map((gi, i) => 2 * gi * key[i]) };
  }
}

// ---------------------------------------------------------------------------------------------
// L2Regularizer: no input at all.

export const L2_COEFFICIENTS = { W: 0.5, b: 0.05 } as const;

export const L2_BUGS: readonly BugSpec[] = [
  { name: 'dW-entry-doubled', description: 'dW[1][2] = 2·λ_W·W[1][2]: the ½ of the loss forgotten at one entry.', wrongTensors: ['W'] },
  { name: 'db-uses-W-coefficient', description: 'db = λ_W·b: the coefficient of the other tensor (copy-paste).', wrongTensors: ['b'] },
];

/**
 * Weight decay as a loss of its own: λ_W/2·‖W‖² + λ_b/2·‖b‖² over W (2×3, nested rows) and b (3).
 * `forward()` takes no argument, so the checker calls it with none; backward assigns (`=`) the
 * gradients and returns nothing.
 */
export class L2Regularizer {
  readonly W: NumericContainer;
  readonly b: Storage;
  readonly dW: NumericContainer;
  readonly db: Storage;

  constructor(
    readonly dtype: Dtype = 'float64',
    readonly bug?: string,
  ) {
    checkBug(bug, L2_BUGS);
    this.W = pack('nested', dtype, [0.8, -1.5, 2.2, -0.4, 1.1, -2.7], [2, 3]);
    this.b = typed(dtype, [0.3, -0.9, 1.6]);
    this.dW = pack('nested', dtype, new Float64Array(6), [2, 3]);
    this.db = typed(dtype, [0, 0, 0]);
  }

  get params(): Record<string, NumericContainer> {
    return { W: this.W, b: this.b };
  }

  get grads(): Record<string, NumericContainer> {
    return { W: this.dW, b: this.db };
  }

  forward(): number {
    const squares = (values: Float64Array): number => values.reduce((sum, v) => sum + v * v, 0);
    return 0.5 * L2_COEFFICIENTS.W * squares(flatten(this.W)) + 0.5 * L2_COEFFICIENTS.b * squares(flatten(this.b));
  }

  backward(gradLoss: number): void {
    const dW = flatten(this.W).map((v) => gradLoss * L2_COEFFICIENTS.W * v);
    if (this.bug === 'dW-entry-doubled') dW[5] *= 2;
    writeInto(this.dW, dW);
    const bCoefficient = this.bug === 'db-uses-W-coefficient' ? L2_COEFFICIENTS.W : L2_COEFFICIENTS.b;
    writeInto(this.db, flatten(this.b).map((v) => gradLoss * bCoefficient * v));
  }
}

/** The layers with their planted bugs, in the corpus's form. */
export const multiInputZoo: ZooEntry[] = [
  {
    name: 'multi-input-product',
    make: (dtype) => new ScaledProduct(dtype),
    bugs: variants((dtype, bug) => new ScaledProduct(dtype, bug), PRODUCT_BUGS),
  },
  {
    name: 'multi-input-weighted-sum',
    make: (dtype) => new WeightedSum({ dtype }),
    bugs: variants((dtype, bug) => new WeightedSum({ dtype, bug }), WEIGHTED_SUM_BUGS),
  },
  {
    name: 'multi-input-name-collision',
    make: () => new GatedValue(),
    bugs: variants((_dtype, bug) => new GatedValue(bug), GATED_VALUE_BUGS),
    dtypes: ['float64'],
  },
  {
    name: 'params-only-l2',
    make: (dtype) => new L2Regularizer(dtype),
    bugs: variants((dtype, bug) => new L2Regularizer(dtype, bug), L2_BUGS),
  },
];
