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
 * A deep copy of any value (cycles and shared references kept as in the original, prototypes kept,
 * functions and accessors shared): the check's private copy of the user's input, whatever its form.
 */
export function deepCopy<T>(value: T): T {
  const copies = new Map<object, unknown>();
  const copy = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    const existing = copies.get(item);
    if (existing !== undefined) return existing;
    const tensorClass = tensorClassOf(item);
    if (tensorClass !== null) {
      // Made by the class itself: its storage may be private (#fields), out of reach of a copy.
      const view = createView(item, 'a tensor-class instance');
      const result = tensorClass.create(readAll(view), view.shape, item);
      copies.set(item, result);
      return result;
    }
    if (ArrayBuffer.isView(item)) {
      const result = item instanceof DataView ? new DataView(item.buffer.slice(0), item.byteOffset, item.byteLength) : (item as unknown as Float64Array).slice();
      copies.set(item, result);
      return result;
    }
    if (item instanceof ArrayBuffer) {
      const result = item.slice(0);
      copies.set(item, result);
      return result;
    }
    if (item instanceof Date) {
      const result = withPrototypeOf(item, new Date(item.getTime()));
      copies.set(item, result);
      return result;
    }
    if (item instanceof Map) {
      const result = withPrototypeOf(item, new Map());
      copies.set(item, result);
      for (const [key, entry] of item) result.set(copy(key), copy(entry));
      return result;
    }
    if (item instanceof Set) {
      const result = withPrototypeOf(item, new Set());
      copies.set(item, result);
      for (const entry of item) result.add(copy(entry));
      return result;
    }
    if (item instanceof WeakMap || item instanceof WeakSet || item instanceof Promise || (typeof WeakRef !== 'undefined' && item instanceof WeakRef)) {
      return item;
    }
    const result = withPrototypeOf(item, Array.isArray(item) ? new Array(item.length) : {});
    copies.set(item, result);
    if (Array.isArray(item)) {
      // Indices one by one (holes stay holes); named properties below.
      for (let i = 0; i < item.length; i++) if (i in item) (result as unknown[])[i] = copy(item[i]);
      for (const key of Reflect.ownKeys(item)) {
        if (key === 'length' || (typeof key === 'string' && String(Number(key)) === key)) continue;
        const descriptor = Object.getOwnPropertyDescriptor(item, key);
        if (descriptor === undefined) continue;
        if ('value' in descriptor) descriptor.value = copy(descriptor.value);
        Object.defineProperty(result, key, descriptor);
      }
      return result;
    }
    copyOwnProperties(item, result, copy);
    return result;
  };
  return copy(value) as T;
}
