import type { FlatNumbers, NumericContainer, TensorLike } from './protocol.js';

/**
 * A flat, row-major window onto any accepted numeric container (flat array, typed array, nested
 * arrays, `{ data, shape }`). Reads and writes go straight to the layer's own storage, so a
 * perturbation is seen by the layer and undone by assigning the saved value back.
 */
export interface NumericView {
  readonly size: number;
  readonly shape: number[];
  /** Storage rounds to float32 (a `Float32Array` somewhere in it). */
  readonly float32: boolean;
  get(index: number): number;
  set(index: number, value: number): void;
  /** The value the storage would actually hold after `set(…, value)`. */
  stored(value: number): number;
  /** Copies every entry into `target` (length ≥ size). */
  readInto(target: Float64Array): void;
}

/** Thrown when a value is not an accepted numeric container; `what` names it for the message. */
export class ContainerError extends TypeError {}

const isFlatTyped = (value: unknown): value is Float64Array | Float32Array =>
  value instanceof Float64Array || value instanceof Float32Array;

export function isTensorLike(value: unknown): value is TensorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'data' in value &&
    'shape' in value &&
    Array.isArray((value as TensorLike).shape)
  );
}

/** True for anything `createView` would accept (without checking every entry). */
export function isNumericContainer(value: unknown): value is NumericContainer {
  return isFlatTyped(value) || Array.isArray(value) || isTensorLike(value);
}

/** A received value in a few words, for error messages: `string abc`, `an array of length 3`… */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object with keys [${Object.keys(value as object).join(', ')}]`;
  return `${typeof value} ${String(value)}`;
}

function checkFlatEntries(rows: FlatNumbers[], what: string): void {
  for (const row of rows) {
    if (isFlatTyped(row)) continue;
    for (let i = 0; i < row.length; i++) {
      if (typeof row[i] !== 'number') {
        throw new ContainerError(`${what} holds ${describeValue(row[i])} where a number was expected.`);
      }
    }
  }
}

/** Collects the innermost rows of rectangular nested arrays and the shape they form. */
function collectRows(value: unknown[], what: string, shape: number[], depth: number, rows: FlatNumbers[]): void {
  if (shape.length === depth) shape.push(value.length);
  else if (shape[depth] !== value.length) {
    throw new ContainerError(
      `${what} is ragged: a row at depth ${depth} has ${value.length} entries, another has ${shape[depth]}. ` +
        'Nested arrays must be rectangular.',
    );
  }
  const first = value[0];
  if (value.length === 0 || typeof first === 'number' || isFlatTyped(value)) {
    rows.push(value as FlatNumbers);
    return;
  }
  for (const child of value) {
    if (Array.isArray(child) || isFlatTyped(child)) {
      collectRows(child as unknown[], what, shape, depth + 1, rows);
    } else {
      throw new ContainerError(`${what} mixes nested arrays with ${describeValue(child)}.`);
    }
  }
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Builds a view over `value`. `what` names the value in error messages, e.g. `parameter 'W'`.
 * `declaredShape`, when given, must hold the same number of entries and replaces the natural shape.
 */
export function createView(value: unknown, what: string, declaredShape?: readonly number[]): NumericView {
  let rows: FlatNumbers[];
  let shape: number[];
  if (isTensorLike(value)) {
    const { data } = value;
    if (!isFlatTyped(data) && !Array.isArray(data)) {
      throw new ContainerError(`${what} is tensor-like but its data is ${describeValue(data)}, not a flat numeric array.`);
    }
    shape = [...value.shape];
    if (product(shape) !== data.length) {
      throw new ContainerError(
        `${what} has shape [${shape.join(', ')}] (${product(shape)} entries) but its data holds ${data.length}.`,
      );
    }
    rows = [data];
  } else if (isFlatTyped(value)) {
    rows = [value];
    shape = [value.length];
  } else if (Array.isArray(value)) {
    rows = [];
    shape = [];
    collectRows(value, what, shape, 0, rows);
  } else {
    throw new ContainerError(
      `${what} is ${describeValue(value)}; expected a number[], Float64Array, Float32Array, nested number arrays or { data, shape }.`,
    );
  }
  checkFlatEntries(rows, what);
  const rowLength = rows.length === 0 ? 0 : rows[0].length;
  const size = rows.length * rowLength;
  if (declaredShape !== undefined) {
    if (product(declaredShape) !== size) {
      throw new ContainerError(
        `${what} declares shape [${declaredShape.join(', ')}] (${product(declaredShape)} entries) but holds ${size}.`,
      );
    }
    shape = [...declaredShape];
  }
  const float32 = rows.some((row) => row instanceof Float32Array);
  const stored = float32 ? Math.fround : (x: number): number => x;

  if (rows.length === 1) {
    const row = rows[0];
    return {
      size,
      shape,
      float32,
      get: (index) => row[index],
      set: (index, v) => {
        row[index] = v;
      },
      stored,
      readInto: (target) => {
        for (let i = 0; i < size; i++) target[i] = row[i];
      },
    };
  }
  return {
    size,
    shape,
    float32,
    get: (index) => rows[(index / rowLength) | 0][index % rowLength],
    set: (index, v) => {
      rows[(index / rowLength) | 0][index % rowLength] = v;
    },
    stored,
    readInto: (target) => {
      let k = 0;
      for (const row of rows) for (let i = 0; i < rowLength; i++) target[k++] = row[i];
    },
  };
}

/** A deep copy of `value` in the same form (typed arrays stay typed, nesting and shape are kept). */
export function cloneContainer<T>(value: T): T {
  if (isFlatTyped(value)) return value.slice() as T;
  if (Array.isArray(value)) return value.map((child) => cloneContainer(child)) as T;
  if (isTensorLike(value)) {
    return { ...value, data: cloneContainer(value.data), shape: [...value.shape] } as T;
  }
  return value;
}

/** A container of the same form as `template`, holding `values` (row-major). */
export function containerLike(template: unknown, values: Float64Array): unknown {
  const copy = cloneContainer(template);
  const view = createView(copy, 'a copy of the output');
  for (let i = 0; i < view.size; i++) view.set(i, values[i]);
  return copy;
}

/** Position of a flat row-major index in `shape`, e.g. index 7 in [3, 4] → [1, 3]. */
export function positionOf(index: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length);
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position[axis] = rest % shape[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  return position;
}
