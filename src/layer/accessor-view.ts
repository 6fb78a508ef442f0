import type { GradAccessor } from './protocol.js';
import { assertValidShape, ContainerError, positionOf, product, type NumericView } from './view-core.js';
import { describeValue } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';

/**
 * Numeric views over storage the checker can only reach through the layer's own methods: a Matrix
 * class with private storage, a scalar field, a tfjs Variable written with `assign`. Every read and
 * write goes through those methods, so the layer sees each perturbation exactly as it would see a
 * write of its own.
 */

/** Entry-wise access: `get(i)` / `set(i, v)`, or for a scalar (no shape) `get()` / `set(v)`. */
export interface EntryAccess {
  get(index?: number): number;
  set(indexOrValue: number, value?: number): void;
}

/** A value read through an accessor must be a plain number; a Promise means the accessor is async, which a finite difference cannot wait for per entry. */
function numberFrom(value: unknown, what: string, call: string): number {
  if (typeof value === 'number') return value;
  if (isThenable(value)) {
    silenceRejection(value);
    throw new ContainerError(`${what}: ${call} returned a Promise; accessors must read and write synchronously (an async layer may still await in forward).`);
  }
  throw new ContainerError(`${what}: ${call} returned ${describeValue(value)} where a number was expected.`);
}

/**
 * What the storage does with a value that float64 holds and float32 does not: float64 keeps it,
 * float32 rounds it. Anything else (an integer store, a clamp) cannot hold a finite-difference step.
 */
function probeStorage(read: () => number, write: (v: number) => void, what: string): { float32: boolean } {
  const saved = read();
  // 0.1 is exact in neither precision, and no integer: float64 keeps it, float32 rounds it to its own nearest.
  const probe = 0.1;
  write(probe);
  const seen = read();
  write(saved);
  const restored = read();
  if (!Object.is(restored, saved)) {
    throw new ContainerError(`${what} did not get its value back: wrote ${saved}, read back ${restored}. set() must store the number it is given.`);
  }
  if (Object.is(seen, probe)) return { float32: false };
  if (Object.is(seen, Math.fround(probe))) return { float32: true };
  throw new ContainerError(
    `${what} did not hold the value written to it (wrote ${probe}, read back ${seen}): the checker perturbs entries by small steps, ` +
      'so set() must store the number it is given (float64 or float32 storage).',
  );
}

interface EntryAccessors {
  size: number;
  get(index: number): number;
  set(index: number, value: number): void;
}

/**
 * Every write through an accessor is read back: storage that does not keep the number it is given
 * (a `set` that clamps, or that writes another entry than `get` reads) would make a step the layer
 * never saw, and a clamp a fake kink that hides a wrong gradient beside it. It is refused, by name.
 *
 * With `pristine` (the values read before the check wrote anything) the refused write is undone
 * first, whatever the accessors do: the entry whose read changed shows where the write landed, and
 * its pristine value goes back there. From then on the storage is refused: writes of its pristine
 * values (the check putting entries back) find it as it was and do nothing; any other write throws.
 */
function verifiedSet(access: EntryAccessors, stored: (x: number) => number, what: string, pristine: Float64Array | null) {
  let refused: ContainerError | null = null;
  const refusal = (index: number, value: number, kept: number): ContainerError =>
    new ContainerError(
      `${what} did not keep what was written to entry ${index}: set it to ${value}, read back ${kept}. ` +
        'The checker perturbs entries by small steps and reads them back through get(); set() must store exactly the number it is given ' +
        '(no clamping, rounding to integers, or another entry than get() reads).',
    );
  return (index: number, value: number): void => {
    if (refused !== null) {
      if (pristine !== null && Object.is(value, pristine[index]) && unchangedFrom(access, pristine)) return;
      throw refused;
    }
    access.set(index, value);
    const kept = access.get(index);
    if (Object.is(kept, stored(value))) return;
    refused = refusal(index, value, kept);
    if (pristine !== null) undoWrite(access, index, pristine);
    throw refused;
  };
}

function unchangedFrom(access: EntryAccessors, pristine: Float64Array): boolean {
  for (let i = 0; i < access.size; i++) if (!Object.is(access.get(i), pristine[i])) return false;
  return true;
}

/** Puts back the storage a refused `set(index, …)` changed: at the one entry whose read changed, its pristine value. */
function undoWrite(access: EntryAccessors, index: number, pristine: Float64Array): void {
  const changed: number[] = [];
  for (let i = 0; i < access.size; i++) if (!Object.is(access.get(i), pristine[i])) changed.push(i);
  if (changed.length === 1) access.set(index, pristine[changed[0]]);
}

/**
 * A view whose entries are reached only through `get` / `set`: no storage of its own to compare
 * for sharing, and never ragged. `readInto` defaults to one `get` per entry.
 */
function viewThrough(
  access: EntryAccessors & {
    shape: number[];
    float32: boolean;
    readInto?(target: Float64Array): void;
  },
  what: string,
  /** Parameters: the refused write is undone, from the values read now (see verifiedSet). */
  undoable: boolean,
): NumericView {
  const { size, shape, float32, get } = access;
  const stored = float32 ? Math.fround : (x: number): number => x;
  const readInto =
    access.readInto ??
    ((target: Float64Array): void => {
      for (let i = 0; i < size; i++) target[i] = get(i);
    });
  let pristine: Float64Array | null = null;
  if (undoable) {
    pristine = new Float64Array(size);
    readInto(pristine);
  }
  return {
    size,
    shape,
    ragged: false,
    float32,
    get,
    set: verifiedSet(access, stored, what, pristine),
    stored,
    readInto,
    position: (index) => positionOf(index, shape),
    storage: [],
  };
}

/** A view over `get(i)` / `set(i, v)` (or a scalar's `get()` / `set(v)`). */
export function entryAccessorView(access: EntryAccess, shape: readonly number[] | null, what: string): NumericView {
  const scalar = shape === null;
  const fullShape = shape === null ? [] : [...shape];
  if (!scalar) assertValidShape(fullShape, what);
  const size = scalar ? 1 : product(fullShape);
  const get = scalar ? (): number => numberFrom(access.get(), what, 'get()') : (index: number): number => numberFrom(access.get(index), what, `get(${index})`);
  const set = scalar
    ? (_index: number, value: number): void => {
        access.set(value);
      }
    : (index: number, value: number): void => {
        access.set(index, value);
      };
  const { float32 } = size === 0 ? { float32: false } : probeStorage(() => get(0), (v) => set(0, v), what);
  return viewThrough({ size, shape: fullShape, float32, get, set }, what, true);
}

/** A view over whole-array `read()` / `write(values)`; entries are staged in a buffer and written back whole on every change. */
export function arrayAccessorView(
  read: () => ArrayLike<number>,
  write: (values: Float64Array) => void,
  shape: readonly number[] | null,
  what: string,
): NumericView {
  const first = read();
  const size = first.length;
  const fullShape = shape === null ? [size] : [...shape];
  assertValidShape(fullShape, what);
  if (product(fullShape) !== size) {
    throw new ContainerError(`${what} declares shape [${fullShape.join(', ')}] (${product(fullShape)} entries) but read() returned ${size}.`);
  }
  const current = (): ArrayLike<number> => {
    const values = read();
    if (values.length !== size) throw new ContainerError(`${what}: read() returned ${values.length} entries after returning ${size}.`);
    return values;
  };
  const setEntry = (index: number, value: number): void => {
    const staged = Float64Array.from(current());
    staged[index] = value;
    write(staged);
  };
  const getEntry = (index: number): number => numberFrom(current()[index], what, `read()[${index}]`);
  const { float32 } = size === 0 ? { float32: false } : probeStorage(() => getEntry(0), (v) => setEntry(0, v), what);
  // One read() for all entries, not one per entry.
  const readInto = (target: Float64Array): void => {
    const values = current();
    for (let i = 0; i < size; i++) target[i] = values[i];
  };
  return viewThrough({ size, shape: fullShape, float32, get: getEntry, set: setEntry, readInto }, what, true);
}

/** A gradient read through `get(i)` (and reset through `set`, when it has one). */
export function gradAccessorView(access: GradAccessor, size: number, shape: readonly number[], what: string): NumericView {
  const get = (index: number): number => numberFrom(access.get(index), what, `get(${index})`);
  const set = (index: number, value: number): void => {
    if (typeof access.set !== 'function') throw new ContainerError(`${what} has no set(i, v), so it cannot be written.`);
    access.set(index, value);
  };
  return viewThrough({ size, shape: [...shape], float32: false, get, set }, what, false);
}
