import { createView, readAll } from './numeric-view.js';
import { tensorClassOf } from './tensor-class.js';

/**
 * Copies the checker makes: the input it perturbs (so the caller's value is never touched) and the
 * upstream gradient it hands to backward (in the output's form). Both keep prototypes, so a layer
 * built on a Tensor class can still call its methods (`x.at(i, j)`) on what it receives.
 */

function withPrototypeOf<T extends object>(source: object, target: T): T {
  const proto = Object.getPrototypeOf(source) as object | null;
  if (Object.getPrototypeOf(target) !== proto) Object.setPrototypeOf(target, proto);
  return target;
}

function copyOwnProperties(source: object, target: object, copyValue: (value: unknown) => unknown): void {
  for (const key of Reflect.ownKeys(source)) {
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (descriptor === undefined) continue;
    // Accessors are copied as they are: reading them would run layer code.
    if ('value' in descriptor) descriptor.value = copyValue(descriptor.value);
    Object.defineProperty(target, key, descriptor);
  }
}

/**
 * A container of the same form as `template` holding `values` (row-major): a deep copy, so a Tensor
 * class keeps its prototype and its own backing fields (a `get data()` over `this._data` then
 * reads the copy's storage, not the template's), and the values are written through the view.
 */
export function containerLike(template: unknown, values: Float64Array): unknown {
  const copy = deepCopy(template);
  const view = createView(copy, 'a copy of the output', { allowRagged: true });
  for (let i = 0; i < view.size; i++) view.set(i, values[i]);
  return copy;
}

/**
 * A deep copy of any value, prototypes kept and functions and accessors shared: the check's private
 * copy of the user's input, and the template of the upstream gradient. Both are values, so every
 * position is its own: an array reached twice (rows made with `Array(2).fill(row)`, an output that
 * returns one row twice) becomes two arrays, and a step at one position moves that position alone.
 * Only a cycle (a value inside itself) is kept as a cycle.
 */
export function deepCopy<T>(value: T): T {
  // The values being copied, outermost first: a reference back to one of them is a cycle.
  const inProgress = new Map<object, unknown>();
  const copy = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    const ancestor = inProgress.get(item);
    if (ancestor !== undefined) return ancestor;
    return copyObject(item, copy, inProgress);
  };
  return copy(value) as T;
}

/** Copies one object; containers register their copy in `inProgress` while their contents are copied. */
function copyObject(item: object, copy: (item: unknown) => unknown, inProgress: Map<object, unknown>): unknown {
  const tensorClass = tensorClassOf(item);
  if (tensorClass !== null) {
    // Made by the class itself: its storage may be private (#fields), out of reach of a copy.
    const view = createView(item, 'a tensor-class instance');
    return tensorClass.create(readAll(view), view.shape, item);
  }
  if (ArrayBuffer.isView(item)) {
    return item instanceof DataView ? new DataView(item.buffer.slice(0), item.byteOffset, item.byteLength) : (item as unknown as Float64Array).slice();
  }
  if (item instanceof ArrayBuffer) return item.slice(0);
  if (item instanceof Date) return withPrototypeOf(item, new Date(item.getTime()));
  if (item instanceof WeakMap || item instanceof WeakSet || item instanceof Promise || (typeof WeakRef !== 'undefined' && item instanceof WeakRef)) {
    return item;
  }
  const result = item instanceof Map ? withPrototypeOf(item, new Map()) : item instanceof Set ? withPrototypeOf(item, new Set()) : withPrototypeOf(item, Array.isArray(item) ? new Array(item.length) : {});
  inProgress.set(item, result);
  try {
    fillCopy(item, result, copy);
  } finally {
    inProgress.delete(item);
  }
  return result;
}

function fillCopy(item: object, result: object, copy: (item: unknown) => unknown): void {
  if (item instanceof Map) {
    for (const [key, entry] of item) (result as Map<unknown, unknown>).set(copy(key), copy(entry));
    return;
  }
  if (item instanceof Set) {
    for (const entry of item) (result as Set<unknown>).add(copy(entry));
    return;
  }
  if (!Array.isArray(item)) {
    copyOwnProperties(item, result, copy);
    return;
  }
  // Indices one by one (holes stay holes); named properties below.
  for (let i = 0; i < item.length; i++) if (i in item) (result as unknown[])[i] = copy(item[i]);
  for (const key of Reflect.ownKeys(item)) {
    if (key === 'length' || (typeof key === 'string' && String(Number(key)) === key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(item, key);
    if (descriptor === undefined) continue;
    if ('value' in descriptor) descriptor.value = copy(descriptor.value);
    Object.defineProperty(result, key, descriptor);
  }
}
