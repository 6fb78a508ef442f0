import type { FlatNumbers, TensorLike } from './protocol.js';
import { describeValue } from './describe-value.js';
import { entryAccessorView } from './accessor-view.js';
import { assertValidShape, ContainerError, positionOf, product, type NumericView, type StorageRange } from './view-core.js';
import { tensorClassOf } from './tensor-class.js';

export { assertValidShape, ContainerError, positionOf, product, readAll, sharesStorage, writeAll, zeroAll } from './view-core.js';
export type { NumericView, StorageRange } from './view-core.js';

export interface ViewOptions {
  /** A shape declared beside the storage (`{ value, shape }` records); must hold the same number of entries. */
  declaredShape?: readonly number[];
  /** Accept nested rows of different lengths (inputs and outputs of sequence layers). */
  allowRagged?: boolean;
  /** The checker will write into this storage: frozen arrays are refused up front, by name. */
  writable?: boolean;
}

export const isFlatTyped = (value: unknown): value is Float64Array | Float32Array =>
  value instanceof Float64Array || value instanceof Float32Array;

/** Typed arrays that cannot hold a perturbation of 1e-5 (integers) or are not numbers at all (BigInt). */
function isOtherTypedArray(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !isFlatTyped(value);
}

export function isTensorLike(value: unknown): value is TensorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    'data' in value &&
    'shape' in value &&
    Array.isArray((value as TensorLike).shape)
  );
}

/** True for anything `createView` would try (without checking every entry). */
export function isNumericContainer(value: unknown): boolean {
  return isFlatTyped(value) || Array.isArray(value) || isTensorLike(value) || isOtherTypedArray(value) || tensorClassOf(value) !== null;
}

function integerStorageError(what: string, value: ArrayBufferView): ContainerError {
  return new ContainerError(
    `${what} is ${describeValue(value)}, which cannot hold a finite-difference step (it stores integers or BigInts). ` +
      'Store values and gradients in a Float64Array, a Float32Array or number[].',
  );
}

interface LeafRow {
  row: FlatNumbers;
  /** Indices from the outermost array down to this row. */
  path: number[];
}

/** Collects the innermost numeric rows of nested arrays, refusing rows at different depths. */
function collectLeaves(value: unknown[], what: string, path: number[], leaves: LeafRow[], depth: { leaf: number }): void {
  const isLeaf = value.length === 0 || !value.some((child) => Array.isArray(child) || ArrayBuffer.isView(child));
  if (isLeaf) {
    if (depth.leaf === -1) depth.leaf = path.length;
    else if (depth.leaf !== path.length) {
      throw new ContainerError(
        `${what} mixes nesting depths: it has numbers at depth ${depth.leaf} and at depth ${path.length}. ` +
          'Nested arrays must hold numbers at one depth only (a matrix is number[][], never number[] beside number[][]).',
      );
    }
    leaves.push({ row: value as FlatNumbers, path });
    return;
  }
  value.forEach((child, i) => {
    if (isFlatTyped(child)) {
      collectLeaves(child as unknown as unknown[], what, [...path, i], leaves, depth);
    } else if (isOtherTypedArray(child)) {
      throw integerStorageError(`${what} (row ${i})`, child);
    } else if (Array.isArray(child)) {
      collectLeaves(child, what, [...path, i], leaves, depth);
    } else {
      throw new ContainerError(`${what} mixes nested arrays with ${describeValue(child)} at [${[...path, i].join(',')}].`);
    }
  });
}

function checkEntries(leaves: LeafRow[], what: string): void {
  for (const { row, path } of leaves) {
    if (isFlatTyped(row)) continue;
    for (let i = 0; i < row.length; i++) {
      if (typeof row[i] !== 'number') {
        const shown = i in row ? describeValue(row[i]) : 'a hole (an empty slot)';
        throw new ContainerError(`${what} holds ${shown} at [${[...path, i].join(',')}] where a number was expected.`);
      }
    }
  }
}

/** The rectangular shape of the leaves, or null when rows differ in length at some depth. */
function rectangularShape(value: unknown[], leafDepth: number): number[] | null {
  const shape: number[] = [];
  let level: ArrayLike<unknown>[] = [value];
  for (let depth = 0; depth <= leafDepth; depth++) {
    const length = level[0].length;
    if (level.some((array) => array.length !== length)) return null;
    shape.push(length);
    if (depth < leafDepth) level = level.flatMap((array) => Array.from(array) as ArrayLike<unknown>[]);
    if (level.length === 0) {
      // An empty outer array: the inner lengths are unknown, so the remaining axes are 0-sized.
      while (shape.length <= leafDepth) shape.push(0);
      break;
    }
  }
  return shape;
}

function storageOf(row: FlatNumbers): StorageRange {
  if (isFlatTyped(row)) return { owner: row.buffer, start: row.byteOffset, end: row.byteOffset + row.byteLength };
  return { owner: row, start: 0, end: row.length };
}

/** For an instance of a class (a Matrix, a library's Tensor): how to make it checkable without copying. */
function classInstanceHint(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null || prototype === Object.prototype) return '';
  const constructor = (prototype as { constructor?: unknown }).constructor;
  // A built-in (Map, Date, Promise…) is a mistake to fix, not storage to register.
  if (typeof constructor === 'function' && (globalThis as Record<string, unknown>)[constructor.name] === constructor) return '';
  return (
    ' For a class with its own storage, register it once with registerTensorClass({ matches, shape, get, set, create }),' +
    ' or give a parameter through accessors ({ name, get(i), set(i, v), size }).'
  );
}

/**
 * Builds a view over `value`. `what` names the value in error messages, e.g. `parameter 'W'`.
 * Throws a ContainerError, naming `what`, for anything that is not a numeric container.
 */
export function createView(value: unknown, what: string, options: ViewOptions = {}): NumericView {
  const tensorClass = tensorClassOf(value);
  if (tensorClass !== null) {
    const shape = tensorClass.shape(value);
    if (!Array.isArray(shape)) throw new ContainerError(`${what}: its tensor class's shape() returned ${describeValue(shape)}, not a list of whole numbers.`);
    if (options.declaredShape !== undefined && product(options.declaredShape) !== product(shape)) {
      throw new ContainerError(`${what} declares shape [${options.declaredShape.join(', ')}] but holds [${shape.join(', ')}].`);
    }
    return entryAccessorView(
      { get: (index) => tensorClass.get(value, index ?? 0), set: (index, entry) => tensorClass.set(value, index, entry as number) },
      options.declaredShape ?? shape,
      what,
    );
  }
  let leaves: LeafRow[];
  let shape: number[] | null;
  if (isTensorLike(value)) {
    const { data } = value;
    if (isOtherTypedArray(data)) throw integerStorageError(`${what}.data`, data);
    if (!isFlatTyped(data) && !Array.isArray(data)) {
      throw new ContainerError(`${what} is tensor-like but its data is ${describeValue(data)}, not a flat numeric array.`);
    }
    assertValidShape(value.shape, what);
    shape = [...value.shape];
    if (product(shape) !== data.length) {
      throw new ContainerError(`${what} has shape [${shape.join(', ')}] (${product(shape)} entries) but its data holds ${data.length}.`);
    }
    leaves = [{ row: data, path: [] }];
  } else if (isFlatTyped(value)) {
    leaves = [{ row: value, path: [] }];
    shape = [value.length];
  } else if (isOtherTypedArray(value)) {
    throw integerStorageError(what, value);
  } else if (Array.isArray(value)) {
    leaves = [];
    const depth = { leaf: -1 };
    collectLeaves(value, what, [], leaves, depth);
    shape = rectangularShape(value, depth.leaf);
    if (shape === null && options.allowRagged !== true) {
      throw new ContainerError(`${what} is ragged: its nested rows differ in length. Nested arrays must be rectangular.`);
    }
  } else {
    throw new ContainerError(
      `${what} is ${describeValue(value)}; expected a number[], Float64Array, Float32Array, nested number arrays or { data, shape }.` +
        classInstanceHint(value),
    );
  }
  checkEntries(leaves, what);
  if (options.writable === true) {
    const frozen = leaves.find(({ row }) => !isFlatTyped(row) && row.length > 0 && Object.isFrozen(row));
    if (frozen !== undefined) {
      throw new ContainerError(
        `${what} is a frozen array${frozen.path.length > 0 ? ` (row [${frozen.path.join(',')}])` : ''}: the checker perturbs entries in place and puts them back. ` +
          'Give the check writable storage (the layer may freeze it after the check).',
      );
    }
  }
  const size = leaves.reduce((n, leaf) => n + leaf.row.length, 0);
  if (options.declaredShape !== undefined) {
    assertValidShape(options.declaredShape, what);
    if (product(options.declaredShape) !== size) {
      throw new ContainerError(
        `${what} declares shape [${options.declaredShape.join(', ')}] (${product(options.declaredShape)} entries) but holds ${size}.`,
      );
    }
    shape = [...options.declaredShape];
  }
  return buildView(leaves, shape, size, what);
}

function buildView(leaves: LeafRow[], shape: number[] | null, size: number, what: string): NumericView {
  const rows = leaves.map((leaf) => leaf.row);
  const float32 = rows.some((row) => row instanceof Float32Array);
  const stored = float32 ? Math.fround : (x: number): number => x;
  // Row of each flat index: a prefix table (binary search), rows may differ in length when ragged.
  const rowStarts = new Float64Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) rowStarts[r + 1] = rowStarts[r] + rows[r].length;
  const locate = (index: number): number => {
    let low = 0;
    let high = rows.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (rowStarts[mid] <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const uniformLength = shape !== null && rows.length > 0 ? rows[0].length : 0;
  const rowOf = shape !== null && uniformLength > 0 ? (index: number): number => (index / uniformLength) | 0 : locate;
  const typedRows = rows.map(isFlatTyped);
  const write = (row: FlatNumbers, rowIndex: number, column: number, index: number, value: number): void => {
    if (typedRows[rowIndex]) {
      row[column] = value;
    } else if (!Reflect.set(row, column, value)) {
      throw new ContainerError(
        `${what} refused a write at ${formatIndex(positionAt(index))}: the entry is read-only. The checker perturbs entries in place; give it writable storage.`,
      );
    }
  };
  const positionAt = (index: number): number[] => {
    if (shape !== null) return positionOf(index, shape);
    const r = locate(index);
    return [...leaves[r].path, index - rowStarts[r]];
  };
  const single = rows.length === 1 ? rows[0] : null;
  return {
    size,
    shape: shape ?? [size],
    ragged: shape === null,
    float32,
    get:
      single !== null
        ? (index) => single[index]
        : (index) => {
            const r = rowOf(index);
            return rows[r][index - rowStarts[r]];
          },
    set:
      single !== null
        ? typedRows[0]
          ? (index, v) => {
              // Typed storage cannot refuse a write: the hot path of every perturbation.
              (single as Float64Array)[index] = v;
            }
          : (index, v) => write(single, 0, index, index, v)
        : (index, v) => {
            const r = rowOf(index);
            write(rows[r], r, index - rowStarts[r], index, v);
          },
    stored,
    readInto: (target) => {
      let k = 0;
      for (const row of rows) for (let i = 0; i < row.length; i++) target[k++] = row[i];
    },
    position: positionAt,
    storage: rows.filter((row) => row.length > 0).map(storageOf),
  };
}

function formatIndex(position: readonly number[]): string {
  return `[${position.join(',')}]`;
}
