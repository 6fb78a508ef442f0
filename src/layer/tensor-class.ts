import { isObjectRecord } from './object-record.js';

/**
 * Tensor classes of other libraries (a `Matrix` with private storage, a `Tensor` with its own
 * accessors) made first-class containers: once registered, an instance is read, perturbed, copied
 * and created by the class's own methods wherever the protocol takes a numeric container (params,
 * grads, inputs, outputs, the upstream gradient handed to backward, the input gradient it returns).
 */
export interface TensorClass<T = any> {
  /**
   * Recognizes an instance, e.g. `(value) => value instanceof Matrix`. As a type guard it lets
   * TypeScript infer T (TS 5.5 infers the guard from `instanceof`); a plain boolean needs `registerTensorClass<Matrix>`.
   */
  matches: ((value: unknown) => value is T) | ((value: unknown) => boolean);
  /** Row-major shape, e.g. `(m) => [m.rows, m.cols]`. */
  shape(value: T): readonly number[];
  /** Entry at a flat row-major index, e.g. `(m, i) => m.get(Math.floor(i / m.cols), i % m.cols)`. */
  get(value: T, index: number): number;
  /** Stores an entry at a flat row-major index. */
  set(value: T, index: number, entry: number): void;
  /** A new instance of `shape` holding `values` (row-major); `like` is an instance to take any other settings from. */
  create(values: Float64Array, shape: readonly number[], like: T): T;
}

// One registry per process, not per module instance: a project can load the package twice (the
// ESM and the CJS build, or a Vitest setup file run by its module runner while a test file's import
// is native), and a class registered through one copy must be seen by the matcher of the other.
const REGISTRY_KEY = Symbol.for('expect-gradcheck.tensor-classes');
const registered: TensorClass[] = ((globalThis as Record<symbol, TensorClass[] | undefined>)[REGISTRY_KEY] ??= []);

/**
 * Registers a tensor class for every later check (e.g. in a setup file, once per library). Returns
 * a function that removes it again. Later registrations are tried first.
 */
export function registerTensorClass<T>(tensorClass: TensorClass<T>): () => void {
  for (const key of ['matches', 'shape', 'get', 'set', 'create'] as const) {
    if (typeof tensorClass?.[key] !== 'function') {
      throw new TypeError(`registerTensorClass: '${key}' must be a function (given ${typeof tensorClass?.[key]}). A tensor class needs matches, shape, get, set and create.`);
    }
  }
  registered.unshift(tensorClass as TensorClass);
  return () => {
    const at = registered.indexOf(tensorClass as TensorClass);
    if (at >= 0) registered.splice(at, 1);
  };
}

/** The registered class an instance belongs to, or null. */
export function tensorClassOf(value: unknown): TensorClass | null {
  if (registered.length === 0 || !isObjectRecord(value)) return null;
  for (const tensorClass of registered) if (tensorClass.matches(value)) return tensorClass;
  return null;
}
