import { types } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as brands from '../../src/layer/builtin-brands.js';

/** Values whose brand the state snapshot must tell exactly, including disguises. */
const samples: Record<string, object> = {
  map: new Map([[1, 2]]),
  set: new Set([1]),
  date: new Date(5),
  float64: new Float64Array(2),
  uint8: new Uint8Array(1),
  dataView: new DataView(new ArrayBuffer(4)),
  buffer: new ArrayBuffer(8),
  shared: new SharedArrayBuffer(8),
  error: new RangeError('x'),
  plain: {},
  array: [1, 2],
  proxyOfMap: new Proxy(new Map(), {}),
  proxyOfDate: new Proxy(new Date(), {}),
  proxyOfFloat64: new Proxy(new Float64Array(2), {}),
  fakeMap: Object.create(Map.prototype) as object,
  taggedSet: { [Symbol.toStringTag]: 'Set' },
  mapWithoutPrototype: Object.setPrototypeOf(new Map(), null) as object,
};

describe('builtin brand checks agree with node:util types on every sample', () => {
  it.each(Object.entries(samples))('%s', (_name, value) => {
    expect(brands.isMap(value)).toBe(types.isMap(value));
    expect(brands.isSet(value)).toBe(types.isSet(value));
    expect(brands.isDate(value)).toBe(types.isDate(value));
    expect(brands.isTypedArray(value)).toBe(types.isTypedArray(value));
    expect(brands.isDataView(value)).toBe(types.isDataView(value));
    expect(brands.isAnyArrayBuffer(value)).toBe(types.isAnyArrayBuffer(value));
    expect(brands.isSharedArrayBuffer(value)).toBe(types.isSharedArrayBuffer(value));
    expect(brands.isKnownProxy(value)).toBe(types.isProxy(value));
  });

  it('recognises Proxies in Node through process.getBuiltinModule', () => {
    expect(brands.proxyTest).not.toBeNull();
  });
});
