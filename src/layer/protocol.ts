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

/** Any numeric container a layer may use for values, gradients, inputs or outputs. */
export type NumericContainer = FlatNumbers | NestedNumbers | TensorLike;

/** Form (a): one record per parameter. */
export interface ParamRecord {
  name?: string;
  value: NumericContainer;
  /** Read after every backward; may be undefined before the first one. */
  grad?: NumericContainer | null;
  shape?: readonly number[];
}

export type ParamsForm =
  | ParamRecord[] // (a)
  | Record<string, NumericContainer> // (b), with `grads` under the same keys
  | NumericContainer[]; // (c), with `grads` aligned by position

/** A layer with hand-written forward and backward passes. */
export interface Layer {
  /** Returns a number (a scalar loss) or any numeric container. */
  forward(input: any): unknown;
  /** Receives the upstream gradient in the output's form; returns the input gradient or nothing. */
  backward(gradOutput: any): unknown;
  params?: ParamsForm | (() => ParamsForm);
  grads?: Record<string, NumericContainer> | NumericContainer[] | (() => Record<string, NumericContainer> | NumericContainer[]);
  /** Used when no `input` option is given. */
  sampleInput?: () => unknown;
  /** Used when neither `input` nor `sampleInput` is given: a seeded random input of this shape. */
  inputShape?: readonly number[];
}
