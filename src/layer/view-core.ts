/**
 * The view every numeric container is read through, and the small functions on views and shapes
 * that the container views (numeric-view.ts) and the accessor views (accessor-view.ts) share.
 */

/** Where a view's entries live, so two tensors that share storage can be told apart from two that do not. */
export interface StorageRange {
  /** The ArrayBuffer behind a typed array, or the plain array itself. */
  owner: object;
  /** Byte range for typed arrays, index range for plain arrays. */
  start: number;
  end: number;
}

/**
 * A flat, row-major window onto any accepted numeric container (flat array, typed array, nested
 * arrays, `{ data, shape }`). Reads and writes go straight to the layer's own storage, so a
 * perturbation is seen by the layer and undone by assigning the saved value back.
 */
export interface NumericView {
  readonly size: number;
  /** Row-major shape; for ragged nested arrays (rows of different lengths) just `[size]`. */
  readonly shape: number[];
  /** Nested rows of different lengths (sequences of lengths 3 and 2): positions come from `position`. */
  readonly ragged: boolean;
  /** Storage rounds to float32 (a `Float32Array` somewhere in it). */
  readonly float32: boolean;
  get(index: number): number;
  /** Writes one existing entry; throws a ContainerError when the storage refuses the write. */
  set(index: number, value: number): void;
  /** The value the storage would actually hold after `set(…, value)`. */
  stored(value: number): number;
  /** Copies every entry into `target` (length ≥ size). */
  readInto(target: Float64Array): void;
  /** The entry's position in the container, e.g. `[1, 3]` for row 1, column 3. */
  position(index: number): number[];
  readonly storage: readonly StorageRange[];
}

/** Thrown when a value is not an accepted numeric container; `what` names it for the message. */
export class ContainerError extends TypeError {}

/** Shape entries must be whole numbers ≥ 0: a negative or fractional size describes no tensor. */
export function assertValidShape(shape: readonly unknown[], what: string): asserts shape is number[] {
  if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new ContainerError(`${what} has shape [${shape.map(String).join(', ')}]; a shape must list whole numbers ≥ 0.`);
  }
}

/** The number of entries of a row-major shape. */
export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

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

/** Whether two views share any storage (overlapping byte ranges of one buffer, or one plain array). */
export function sharesStorage(a: NumericView, b: NumericView): boolean {
  return a.storage.some((x) => b.storage.some((y) => x.owner === y.owner && x.start < y.end && y.start < x.end));
}

/** Every entry of a view, row-major, as a fresh copy. */
export function readAll(view: NumericView): Float64Array {
  const values = new Float64Array(view.size);
  view.readInto(values);
  return values;
}

/** Sets every entry of a view to 0 (a gradient reset before backward), without a second array of the view's size. */
export function zeroAll(view: NumericView): void {
  for (let i = 0; i < view.size; i++) view.set(i, 0);
}

/** Writes `values` into a view, entry by entry (through its storage or its accessors). */
export function writeAll(view: NumericView, values: Float64Array): void {
  for (let i = 0; i < view.size; i++) view.set(i, values[i]);
}
