/**
 * The layer protocol: what `toHaveCorrectGradients` accepts. Every form listed here is normalized
 * by `normalizeLayer` into one view, so nothing downstream ever looks at the raw layer again.
 */

/** Flat numeric storage. A `Float32Array` marks the layer as float32. */
export type FlatNumbers = number[] | Float64Array | Float32Array;

/** Rectangular nested arrays, e.g. `number[][]` for a matrix. */
export interface NestedNumbers extends Array<number | NestedNumbers> {}

/** Tensor-like storage: flat data plus a row-major shape. */
export interface TensorLike {
  data: FlatNumbers;
  shape: readonly number[];
}

/**
 * Tensor classes registered with `registerTensorClass`, for the types: augment this interface so
 * their instances are accepted wherever a container is, e.g.
 * `declare module 'expect-gradcheck' { interface RegisteredTensorClasses { Matrix: Matrix } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegisteredTensorClasses {}

/** Any numeric container a layer may use for values, gradients, inputs or outputs. */
export type NumericContainer = FlatNumbers | NestedNumbers | TensorLike | RegisteredTensorClasses[keyof RegisteredTensorClasses];

/** Form (a): one record per parameter. */
export interface ParamRecord {
  name?: string;
  value: NumericContainer;
  /** Read after every backward; may be undefined before the first one. */
  grad?: GradSource;
  shape?: readonly number[];
}

/**
 * Where a gradient is read after each backward: storage (read in place, reset before backward),
 * a number (a scalar parameter's gradient), a function the checker calls after backward (gradients
 * that exist only inside an update step, a getter on a class), or an accessor `{ get(i), set?(i, v) }`.
 */
export type GradSource =
  | NumericContainer
  | number
  | GradAccessor
  | (() => NumericContainer | number | ArrayLike<number> | GradAccessor | null | undefined)
  | null
  | undefined;

/** A gradient read entry by entry; with `set` the checker can also reset it before each backward. */
export interface GradAccessor {
  get(index: number): number;
  set?(index: number, value: number): void;
}

/**
 * Form (a) with accessors: entries read and written through the layer's own methods (a Matrix class
 * with private storage, a GPU buffer, a tfjs Variable). With `size` or `shape`, `get(i)` and
 * `set(i, v)` take the flat row-major index; with neither, the parameter is a scalar, called as
 * `get()` and `set(v)`: `{ name: 'alpha', get: () => layer.alpha, set: (v) => (layer.alpha = v), grad: () => layer.dAlpha }`.
 * (One signature serves both, so TypeScript infers the arguments of either without annotations.)
 */
export interface AccessorParam {
  name?: string;
  get(index: number): number;
  set(index: number, value: number): void;
  size?: number;
  shape?: readonly number[];
  grad?: GradSource;
}

/** Form (a) with whole-array accessors: `read()` returns every entry (row-major), `write(values)` stores them all. */
export interface ArrayAccessorParam {
  name?: string;
  read(): ArrayLike<number> | NumericContainer;
  write(values: Float64Array): void;
  shape?: readonly number[];
  grad?: GradSource;
}

/**
 * Form (a) for a numeric property: `{ property: 'alpha', grad: 'dAlpha' }` checks `layer.alpha`
 * (or `of.alpha`) as a scalar parameter, its gradient read from the property named by `grad` on
 * the same object (or any other GradSource).
 */
export interface PropertyParam {
  name?: string;
  property: string;
  /** The object holding the property; default the layer. */
  of?: object;
  grad?: string | GradSource;
}

/** What a value of form (b) or (c) may be: storage, or accessors to it (their gradients come from `grads`). */
export type ParamStorage = NumericContainer | Omit<AccessorParam, 'name' | 'grad'> | Omit<ArrayAccessorParam, 'name' | 'grad'>;

/**
 * Form (a) alone. Annotate a list of accessor records with it (`params: ParamList = [...]`) and
 * TypeScript types the accessors' arguments; the wider ParamsForm cannot (a Float64Array has a `set` too).
 */
export type ParamList = Array<ParamRecord | AccessorParam | ArrayAccessorParam | PropertyParam>;

export type ParamsForm =
  | ParamList // (a)
  | Record<string, ParamStorage> // (b), with `grads` under the same keys
  | ParamStorage[]; // (c), with `grads` aligned by position

/** A layer with hand-written forward and backward passes. */
export interface Layer {
  /**
   * Returns a number (a scalar loss) or any numeric container. Called with the input, with each
   * input of `inputs(a, b, …)` as its own argument, or with none when the layer has no input.
   */
  forward(...inputs: any[]): unknown;
  /**
   * Receives the upstream gradient in the output's form; returns the input gradient, one gradient
   * per input for `inputs(…)` (an array, or a record keyed by the names of `namedInputs`), or nothing.
   */
  backward(gradOutput: any): unknown;
  params?: ParamsForm | (() => ParamsForm);
  grads?: Record<string, GradSource> | GradSource[] | (() => Record<string, GradSource> | GradSource[]);
  /** Used when no `input` option is given; may return `inputs(a, b, …)` for a layer with several inputs. */
  sampleInput?: () => unknown;
  /** Used when neither `input` nor `sampleInput` is given: a seeded random input of this shape. */
  inputShape?: readonly number[];
}
