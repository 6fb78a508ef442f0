/**
 * Exact, non-throwing tests of what a value really is (its internal slots), without `node:util`:
 * the checker also runs in browsers (Vitest's browser mode, WebGPU code), where Node's modules do
 * not exist. Each test calls a builtin getter that only works on the real thing; a Proxy has none of
 * its target's slots, so a Proxy of a Map is not a Map here, just as `util.types.isMap` says. The
 * cheap `instanceof` / tag pre-check keeps ordinary objects off the (slower) throwing path.
 */

const getter = (prototype: object, key: string): ((this: unknown) => unknown) => {
  const get = Object.getOwnPropertyDescriptor(prototype, key)?.get;
  if (get === undefined) throw new Error(`The runtime lacks the ${key} getter the checker relies on.`);
  return get;
};

const tagOf = Object.prototype.toString;
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const sharedBufferByteLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;
const dateGetTime = Date.prototype.getTime;

function hasSlot(value: object, read: (this: unknown) => unknown): boolean {
  try {
    read.call(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pre-check: the builtin in the prototype chain, its tag, or no ordinary prototype at all
 * (null-prototype or from another realm). Only a builtin whose prototype was swapped for an
 * unrelated class slips past it; its own properties are still saved like any object's.
 */
const looksLike = (value: object, type: { prototype: object }, tag: string): boolean =>
  value instanceof (type as unknown as new () => object) || tagOf.call(value) === `[object ${tag}]` || !(value instanceof Object);

export function isMap(value: object): value is Map<unknown, unknown> {
  return looksLike(value, Map, 'Map') && hasSlot(value, mapSize);
}

export function isSet(value: object): value is Set<unknown> {
  return looksLike(value, Set, 'Set') && hasSlot(value, setSize);
}

export function isDate(value: object): value is Date {
  return looksLike(value, Date, 'Date') && hasSlot(value, dateGetTime);
}

/** Typed arrays only (not DataView): `ArrayBuffer.isView` is already exact and proxy-proof. */
export function isTypedArray(value: object): value is ArrayBufferView & ArrayLike<number> {
  return ArrayBuffer.isView(value) && !isDataView(value);
}

export function isDataView(value: object): value is DataView {
  return ArrayBuffer.isView(value) && looksLike(value, DataView, 'DataView') && hasSlot(value, dataViewBuffer);
}

export function isArrayBuffer(value: object): value is ArrayBuffer {
  return looksLike(value, ArrayBuffer, 'ArrayBuffer') && hasSlot(value, arrayBufferByteLength);
}

export function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return (
    sharedBufferByteLength !== null &&
    looksLike(value, SharedArrayBuffer, 'SharedArrayBuffer') &&
    hasSlot(value, sharedBufferByteLength)
  );
}

export function isAnyArrayBuffer(value: object): value is ArrayBufferLike {
  return isArrayBuffer(value) || isSharedArrayBuffer(value);
}

export function isNativeError(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && tagOf.call(value) === '[object Error]');
}

type ProxyTest = (value: object) => boolean;

/**
 * Proxies cannot be recognised from JavaScript; Node can tell (`util.types.isProxy`). Where it is
 * available it is used, through `process.getBuiltinModule` so no import ties the package to Node;
 * elsewhere this returns null and callers assume any object may be a Proxy.
 */
export const proxyTest: ProxyTest | null = (() => {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const util = typeof host?.getBuiltinModule === 'function' ? (host.getBuiltinModule('node:util') as { types?: { isProxy?: ProxyTest } } | undefined) : undefined;
  return typeof util?.types?.isProxy === 'function' ? util.types.isProxy : null;
})();

/** True only when the object is known to be a Proxy (false also where that cannot be known). */
export function isKnownProxy(value: object): boolean {
  return proxyTest !== null && proxyTest(value);
}
