/**
 * `fromTfjs(tf, spec)`: a TensorFlow.js layer as a layer of this package's protocol, with the glue a
 * user would otherwise write by hand. It takes the user's `tf` namespace and imports nothing from
 * tfjs; the types below are the few members it uses, so it works with whichever tfjs build and backend
 * the user loaded. Each piece
 * of glue exists for one reason:
 *
 * - **Arrays, assigned before every call.** The checker perturbs plain arrays in place, while tfjs
 *   computes with Variables whose values live in the backend. So `params` are Float32Array copies of
 *   the Variables (taken once, here), and every forward and backward first `assign`s them: the
 *   arrays are the truth, the Variables the working copy. The check's last forward is at the original
 *   values, so the Variables end as they began.
 * - **A fresh copy per assign.** The CPU backend keeps a Float32Array it is given as the tensor's
 *   storage; without `slice()` a Variable would share memory with an array the checker writes into.
 * - **Containers in, tensors through, typed arrays out.** The checker hands forward and backward
 *   Float32Array, nested arrays or `{ data, shape }`, and reads numbers back (`dataSync()`, or
 *   `await data()` with `readback: 'async'`); tfjs takes no Float64Array, so values become float32.
 * - **tf.tidy and dispose around every call.** The checker calls forward thousands of times; one
 *   forgotten intermediate per call is thousands of leaked tensors. The user's code runs inside
 *   `tf.tidy`, and what it returned is disposed once read (never a Variable). `tidy` cannot span an
 *   `await`, so async read-back happens after the tidy, before the dispose.
 * - **State in the closure, not on the layer.** The checker saves everything reachable from the
 *   layer's properties and puts it back afterwards; a Variable put back with an old `dataId` points at
 *   freed memory. So `tf`, the Variables and the last input stay out of its sight, and the input is
 *   kept as an array (a kept tensor would need someone to dispose it).
 * - **The Variables put back on a throw.** If the user's forward throws (or its read-back rejects) at
 *   a perturbed point, the Variables are assigned their values from `fromTfjs()` time before the error
 *   propagates: the checker restores `params`, but cannot reach a Variable.
 */
import { describeValue } from '../layer/describe-value.js';
import type { NestedNumbers, TensorLike } from '../layer/protocol.js';

/** The members of a `tf.Tensor` the adapter uses. */
export interface TfjsTensor {
  readonly shape: readonly number[];
  readonly dtype: string;
  dataSync(): ArrayLike<number>;
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

/** The members of a `tf.Variable` the adapter uses. */
export interface TfjsVariable extends TfjsTensor {
  assign(value: TfjsTensor): void;
}

/** The members of the `tf` namespace (`import * as tf from '@tensorflow/tfjs-core'`) the adapter uses. */
export interface TfjsNamespace<T extends TfjsTensor = TfjsTensor> {
  tensor(values: Float32Array | Int32Array | NestedNumbers, shape?: number[], dtype?: 'float32' | 'int32'): T;
  // `any`: tf.tidy's type parameter is bounded by tfjs's own TensorContainer, which no structural type can name.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tidy(fn: () => any): any;
  dispose(container: unknown): void;
}

/** What the user's backward returns: a gradient per Variable (same keys, same shapes) and, optionally, the input's. */
export interface TfjsGradients<K extends string> {
  grads: Record<K, TfjsTensor>;
  /** The input gradient; leave it out for an input that is not differentiable (token ids). */
  input?: TfjsTensor;
}

export interface TfjsLayerSpec<T extends TfjsTensor, K extends string> {
  /** The layer's `tf.Variable`s by name; reports name entries after these keys (`W[1,0]`). */
  variables: Record<K, TfjsVariable>;
  /** Tensor in, tensor out, reading the Variables. Runs inside `tf.tidy`. */
  forward(input: T): TfjsTensor;
  /** The hand-written backward: the upstream gradient and forward's input in, gradients out. Runs inside `tf.tidy`. */
  backward(gradOutput: T, input: T): TfjsGradients<K>;
  /** The check's input (the layer's `sampleInput()`): a tensor, nested arrays, a flat array or `{ data, shape }`. */
  input?: TfjsTensor | TensorLike | NestedNumbers | Float32Array | Float64Array | Int32Array;
  /** `'sync'` (default) reads results with `dataSync()`; `'async'` with `await data()`, making forward and backward async. */
  readback?: 'sync' | 'async';
}

/** Float32 values with their shape: a parameter or gradient (the Variable's shape), an output, an input gradient. */
export interface TfjsValues {
  data: Float32Array;
  shape: number[];
}

/** An input as the adapter keeps it: float32 values, or int32 ones (token ids, which the checker does not perturb). */
export interface TfjsInput {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** A tensor's values read back: `{ data, shape }`, or a number for a rank-0 output (a scalar loss). */
export type TfjsReadback = TfjsValues | number;

/** The layer `fromTfjs` returns; `Async` says whether forward and backward return Promises. */
export interface TfjsLayer<K extends string, Async extends boolean = false> {
  readonly params: Record<K, TfjsValues>;
  readonly grads: Record<K, TfjsValues>;
  forward(input: unknown): Async extends true ? Promise<TfjsReadback> : TfjsReadback;
  backward(gradOutput: unknown): Async extends true ? Promise<TfjsValues | undefined> : TfjsValues | undefined;
  /** Present when `spec.input` was given. */
  sampleInput?(): TfjsInput;
}

const NAME = 'fromTfjs';

/**
 * What one adapted layer holds outside the layer object itself, where the checker's snapshot does
 * not reach (see the module comment): tf, the Variables, their values at `fromTfjs()` time, and
 * the last input.
 */
interface TfjsBinding<T extends TfjsTensor, K extends string> {
  tf: TfjsNamespace<T>;
  spec: TfjsLayerSpec<T, K>;
  names: K[];
  variables: TfjsVariable[];
  initial: Float32Array[];
  params: Record<K, TfjsValues>;
  grads: Record<K, TfjsValues>;
  async: boolean;
  lastInput: TfjsInput | null;
}

function bind<T extends TfjsTensor, K extends string>(tf: TfjsNamespace<T>, spec: TfjsLayerSpec<T, K>): TfjsBinding<T, K> {
  const names = Object.keys(spec.variables) as K[];
  const variables = names.map((name) => spec.variables[name]);
  const initial = variables.map((variable) => Float32Array.from(variable.dataSync()));
  const params = {} as Record<K, TfjsValues>;
  const grads = {} as Record<K, TfjsValues>;
  names.forEach((name, i) => {
    params[name] = { data: initial[i].slice(), shape: [...variables[i].shape] };
    grads[name] = { data: new Float32Array(initial[i].length), shape: [...variables[i].shape] };
  });
  return { tf, spec, names, variables, initial, params, grads, async: spec.readback === 'async', lastInput: null };
}

function assignAll<K extends string>(binding: TfjsBinding<TfjsTensor, K>, values: (name: K, i: number) => Float32Array): void {
  const { tf, names, variables } = binding;
  tf.tidy(() => {
    names.forEach((name, i) => variables[i].assign(tf.tensor(values(name, i).slice(), [...variables[i].shape], 'float32')));
  });
}

function restoreVariables(binding: TfjsBinding<TfjsTensor, string>, error: unknown): never {
  assignAll(binding, (_, i) => binding.initial[i]);
  throw error;
}

/** Reads the tensors back (sync or async), hands the values to `use`, and disposes them whatever happens. */
function readBack<R>(binding: TfjsBinding<TfjsTensor, string>, tensors: TfjsTensor[], use: (values: ArrayLike<number>[]) => R): R | Promise<R> {
  const owned = tensors.filter((tensor) => !binding.variables.includes(tensor as TfjsVariable));
  if (!binding.async) {
    try {
      return use(tensors.map((tensor) => tensor.dataSync()));
    } finally {
      binding.tf.dispose(owned);
    }
  }
  return Promise.all(tensors.map((tensor) => tensor.data()))
    .then(use)
    .finally(() => binding.tf.dispose(owned));
}

function forwardThrough<T extends TfjsTensor, K extends string>(binding: TfjsBinding<T, K>, input: unknown): TfjsReadback | Promise<TfjsReadback> {
  const { tf, spec, params } = binding;
  const x = toTensorLike(input, 'forward() was given an input');
  binding.lastInput = x;
  let output: TfjsTensor;
  try {
    output = tf.tidy(() => {
      assignAll(binding, (name) => params[name].data);
      const y = spec.forward(tensorOf(tf, x));
      assertTensor(y, 'spec.forward() returned');
      return y;
    }) as TfjsTensor;
  } catch (error) {
    return restoreVariables(binding, error);
  }
  const shape = [...output.shape];
  try {
    const result = readBack(binding, [output], ([values]): TfjsReadback => (shape.length === 0 ? values[0] : { data: float32(values), shape }));
    return result instanceof Promise ? result.catch((error: unknown) => restoreVariables(binding, error)) : result;
  } catch (error) {
    return restoreVariables(binding, error);
  }
}

function backwardThrough<T extends TfjsTensor, K extends string>(binding: TfjsBinding<T, K>, gradOutput: unknown): TfjsValues | undefined | Promise<TfjsValues | undefined> {
  const { tf, spec, names, params, grads } = binding;
  const x = binding.lastInput;
  if (x === null) throw new Error(`${NAME}: backward() was called before forward().`);
  const dy = typeof gradOutput === 'number' ? { data: Float32Array.of(gradOutput), shape: [] } : toTensorLike(gradOutput, 'backward() was given a gradient');
  const returned = tf.tidy(() => {
    // Backward reads the Variables too (dx = dy·Kᵀ): the values the checker holds now, as a plain layer reads `this.W`.
    assignAll(binding, (name) => params[name].data);
    const result = spec.backward(tensorOf(tf, dy), tensorOf(tf, x));
    assertGradients(result, names);
    // Only the named tensors: tidy keeps whatever the returned object holds, and nothing else would dispose an extra.
    const named = Object.fromEntries(names.map((name) => [name, result.grads[name]]));
    return result.input === undefined ? { grads: named } : { grads: named, input: result.input };
  }) as TfjsGradients<K>;
  const gradTensors = names.map((name) => returned.grads[name]);
  const tensors = returned.input === undefined ? gradTensors : [...gradTensors, returned.input];
  return readBack(binding, tensors, (values) => {
    names.forEach((name, i) => {
      assertShape(gradTensors[i].shape, params[name].shape, `grads.${name}`, `the Variable '${name}'`);
      grads[name].data.set(values[i]);
    });
    if (returned.input === undefined) return undefined;
    assertShape(returned.input.shape, x.shape, 'input', "forward's input");
    return { data: float32(values[names.length]), shape: [...x.shape] };
  });
}

/**
 * Wraps a tfjs layer (its Variables, a forward and a hand-written backward, both in tfjs ops) as a
 * layer `toHaveCorrectGradients` can check. The Variables are read once, now: build the adapter
 * right before the check. It creates no tensor that outlives a call.
 */
export function fromTfjs<T extends TfjsTensor, K extends string>(
  tf: TfjsNamespace<T>,
  spec: TfjsLayerSpec<T, K> & { readback: 'async' },
): TfjsLayer<K, true>;
export function fromTfjs<T extends TfjsTensor, K extends string>(
  tf: TfjsNamespace<T>,
  spec: TfjsLayerSpec<T, K> & { readback?: 'sync' },
): TfjsLayer<K, false>;
export function fromTfjs<T extends TfjsTensor, K extends string>(tf: TfjsNamespace<T>, spec: TfjsLayerSpec<T, K>): TfjsLayer<K, boolean> {
  validate(tf, spec);
  const binding = bind(tf, spec);
  const sample = spec.input === undefined ? null : readInput(spec.input);
  const layer: TfjsLayer<K, boolean> = {
    params: binding.params,
    grads: binding.grads,
    forward: (input: unknown) => forwardThrough(binding, input),
    backward: (gradOutput: unknown) => backwardThrough(binding, gradOutput),
  };
  if (sample !== null) layer.sampleInput = () => ({ data: sample.data.slice(), shape: [...sample.shape] });
  return layer;
}

function validate(tf: unknown, spec: unknown): void {
  const namespace = tf as Partial<Record<string, unknown>> | null;
  if (typeof namespace !== 'object' || namespace === null || !['tensor', 'tidy', 'dispose'].every((key) => typeof namespace[key] === 'function')) {
    throw new TypeError(`${NAME}(tf, spec): tf must be the tfjs namespace (import * as tf from '@tensorflow/tfjs-core'), but got ${describeValue(tf)}.`);
  }
  const given = spec as Partial<TfjsLayerSpec<TfjsTensor, string>> | null;
  if (typeof given !== 'object' || given === null) throw new TypeError(`${NAME}(tf, spec): spec must be an object, but got ${describeValue(spec)}.`);
  for (const key of ['forward', 'backward'] as const) {
    if (typeof given[key] !== 'function') throw new TypeError(`${NAME}: spec.${key} must be a function of tensors, but got ${describeValue(given[key])}.`);
  }
  if (given.readback !== undefined && given.readback !== 'sync' && given.readback !== 'async') {
    throw new TypeError(`${NAME}: spec.readback must be 'sync' or 'async', but got ${describeValue(given.readback)}.`);
  }
  const variables = given.variables;
  if (typeof variables !== 'object' || variables === null || Object.keys(variables).length === 0) {
    throw new TypeError(`${NAME}: spec.variables must name the layer's tf.Variables, e.g. { W: kernel, b: bias }, but got ${describeValue(variables)}.`);
  }
  for (const [name, variable] of Object.entries(variables)) {
    if (typeof (variable as Partial<TfjsVariable>)?.assign !== 'function' || typeof variable.dataSync !== 'function') {
      throw new TypeError(`${NAME}: spec.variables.${name} must be a tf.Variable (tf.variable(tensor)), but got ${describeValue(variable)}.`);
    }
    if (variable.dtype !== 'float32') {
      throw new TypeError(`${NAME}: spec.variables.${name} has dtype '${variable.dtype}'; only float32 Variables can take a finite-difference step.`);
    }
  }
}

const isTensor = (value: unknown): value is TfjsTensor =>
  typeof value === 'object' && value !== null && typeof (value as TfjsTensor).dataSync === 'function' && Array.isArray((value as TfjsTensor).shape);

function assertTensor(value: unknown, what: string): asserts value is TfjsTensor {
  if (!isTensor(value)) throw new TypeError(`${NAME}: ${what} ${describeValue(value)}; it must be a tf.Tensor.`);
}

function assertGradients(value: unknown, names: readonly string[]): asserts value is TfjsGradients<string> {
  const grads = (value as Partial<TfjsGradients<string>> | null)?.grads;
  if (typeof grads !== 'object' || grads === null) {
    throw new TypeError(`${NAME}: spec.backward() returned ${describeValue(value)}; it must return { grads: { ${names.join(', ')} }, input? } of tf.Tensors.`);
  }
  for (const name of names) assertTensor(grads[name], `spec.backward() returned as grads.${name}`);
  const input = (value as TfjsGradients<string>).input;
  if (input !== undefined) assertTensor(input, 'spec.backward() returned as input');
}

function assertShape(actual: readonly number[], expected: readonly number[], what: string, of: string): void {
  if (actual.length !== expected.length || actual.some((size, i) => size !== expected[i])) {
    throw new Error(`${NAME}: spec.backward() returned ${what} of shape [${actual.join(', ')}] for ${of} of shape [${expected.join(', ')}]; they must match.`);
  }
}

const float32 = (values: ArrayLike<number>): Float32Array => (values instanceof Float32Array ? values : Float32Array.from(values));

/** Integer data (token ids) stays int32; every other number becomes float32, the only float tfjs has. */
const storage = (values: ArrayLike<number>): Float32Array | Int32Array =>
  values instanceof Int32Array ? values.slice() : Float32Array.from(values);

/** A tensor of a copy of the values: the CPU backend would keep the array itself as the tensor's storage. */
function tensorOf<T extends TfjsTensor>(tf: TfjsNamespace<T>, value: TfjsInput): T {
  return tf.tensor(value.data.slice(), [...value.shape], value.data instanceof Int32Array ? 'int32' : 'float32');
}

/** `{ data, shape }` (a copy) from any container the checker passes: flat, nested or `{ data, shape }`. */
function toTensorLike(value: unknown, what: string): TfjsInput {
  if (isNumberRow(value) && !Array.isArray(value)) return { data: storage(value), shape: [value.length] };
  if (Array.isArray(value)) {
    const shape: number[] = [];
    for (let level: unknown = value; isNumberRow(level) || Array.isArray(level); level = (level as unknown[])[0]) shape.push((level as unknown[]).length);
    const flat: number[] = [];
    // Every row at every depth must have the length the first one had: tfjs tensors are rectangular.
    const walk = (level: unknown, axis: number): boolean => {
      if (!(Array.isArray(level) || isNumberRow(level)) || level.length !== shape[axis]) return false;
      for (let i = 0; i < level.length; i++) {
        const entry = (level as ArrayLike<unknown>)[i];
        if (axis < shape.length - 1 ? !walk(entry, axis + 1) : typeof entry !== 'number') return false;
        if (axis === shape.length - 1) flat.push(entry as number);
      }
      return true;
    };
    if (!walk(value, 0)) throw new TypeError(`${NAME}: ${what} nested arrays that are not a rectangle of numbers; a tensor needs one.`);
    return { data: Float32Array.from(flat), shape };
  }
  const like = value as Partial<TensorLike> | null;
  if (typeof like === 'object' && like !== null && Array.isArray(like.shape) && like.data !== undefined) {
    return { data: storage(like.data), shape: [...like.shape] };
  }
  throw new TypeError(`${NAME}: ${what} ${describeValue(value)}; expected a Float32Array, nested arrays or { data, shape }.`);
}

const isNumberRow = (value: unknown): value is Float32Array | Float64Array | Int32Array =>
  value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array;

/** The check's input from a tensor or any container, read once. */
function readInput(input: NonNullable<TfjsLayerSpec<TfjsTensor, string>['input']>): TfjsInput {
  if (isTensor(input)) return { data: storage(input.dataSync()), shape: [...input.shape] };
  return toTensorLike(input, 'spec.input is');
}
