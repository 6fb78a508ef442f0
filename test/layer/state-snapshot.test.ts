import { describe, expect, it } from 'vitest';
import { snapshotState } from '../../src/layer/state-snapshot.js';
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state.js';
import { restoredAfter } from '../helpers/restored-after.js';

const descriptorOf = (target: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(target, key);

describe('snapshotState', () => {
  it('restores values, replaced references, added and deleted keys, nested objects', () => {
    const inner = { cache: new Float32Array([1, 2]), list: [1, 2, 3] };
    const layer: Record<string, unknown> = { w: new Float64Array([0.1, 0.2]), inner, name: 'dense' };
    const failures = restoredAfter(layer, () => {
      (layer.w as Float64Array)[0] = 5;
      layer.inner = { other: true };
      inner.cache[1] = 9;
      inner.list.push(4);
      layer.added = 1;
      delete layer.name;
    });
    expect(failures).toEqual([]);
    expect(layer.inner).toBe(inner);
  });

  it('restores the layer when forward throws halfway', () => {
    const layer = { hidden: [0, 0], steps: 0 };
    const before = captureDeepState(layer);
    const snapshot = snapshotState(layer);
    try {
      layer.steps++;
      layer.hidden[0] = 1;
      throw new Error('forward failed');
    } catch {
      // The checker restores in a finally block.
    } finally {
      expect(snapshot.restore()).toEqual([]);
    }
    expectSameDeepState(before, captureDeepState(layer));
  });

  describe('accessors (never called, never removed)', () => {
    it('keeps get params() / get grads() of an object-literal layer through repeated restores', () => {
      let reads = 0;
      const W = new Float64Array([1, 2]);
      const dW = new Float64Array(2);
      const layer = {
        get params() {
          reads++;
          return [W];
        },
        get grads() {
          reads++;
          return [dW];
        },
      };
      const getParams = descriptorOf(layer, 'params')?.get;
      const snapshot = snapshotState(layer);
      W[0] = 7;
      dW[1] = 3;
      expect(snapshot.restore()).toEqual([]);
      expect(snapshot.restore()).toEqual([]);
      expect(reads).toBe(0);
      expect(descriptorOf(layer, 'params')).toEqual({ get: getParams, set: undefined, enumerable: true, configurable: true });
      expect(typeof descriptorOf(layer, 'grads')?.get).toBe('function');
      // W and dW live in closure variables, reachable only through getters the snapshot never calls:
      // the checker's own parameter save covers them.
      expect([...layer.params[0]]).toEqual([7, 2]);
    });

    it('keeps an accessor on a nested object, and puts back one that forward replaced', () => {
      let calls = 0;
      const config = {
        get lr() {
          calls++;
          return 0.1;
        },
        set lr(_value: number) {
          calls++;
        },
      };
      const layer = { config };
      const original = descriptorOf(config, 'lr');
      const failures = restoredAfter(layer, () => {
        Object.defineProperty(config, 'lr', { value: 5, writable: true, enumerable: true, configurable: true });
      });
      expect(failures).toEqual([]);
      expect(descriptorOf(config, 'lr')).toEqual(original);
      expect(calls).toBe(0);
    });

    it('touches no unchanged property (a counting Proxy sees no define, delete or set)', () => {
      const operations: string[] = [];
      const state = new Proxy(
        { count: 1, get derived() { return 2; } },
        {
          defineProperty: (target, key, descriptor) => (operations.push(`define ${String(key)}`), Reflect.defineProperty(target, key, descriptor)),
          deleteProperty: (target, key) => (operations.push(`delete ${String(key)}`), Reflect.deleteProperty(target, key)),
          set: (target, key, value) => (operations.push(`set ${String(key)}`), Reflect.set(target, key, value)),
        },
      );
      const snapshot = snapshotState({ state });
      expect(snapshot.restore()).toEqual([]);
      expect(operations).toEqual([]);
    });
  });

  it('restores Map contents (identity, insertion order) and walks into keys and values', () => {
    const keyObject = { id: 1 };
    const entry = { hits: 0 };
    const table = new Map<unknown, unknown>([
      ['k', entry],
      [keyObject, 'object key'],
    ]);
    const failures = restoredAfter({ table }, () => {
      entry.hits++;
      keyObject.id = 2;
      table.delete('k');
      table.set('k', { hits: 0 });
      table.set('new', 1);
    });
    expect(failures).toEqual([]);
    expect(table.get('k')).toBe(entry);
    expect([...table.keys()]).toEqual(['k', keyObject]);
  });

  it('restores Set contents in order, Date values and own properties of both', () => {
    const member = { n: 1 };
    const seen = new Set<unknown>([member, 2]);
    const when = new Date(1000);
    const failures = restoredAfter({ seen, when }, () => {
      seen.delete(member);
      seen.add(member);
      seen.add(3);
      member.n = 5;
      when.setTime(NaN);
      (when as unknown as Record<string, unknown>).label = 'x';
    });
    expect(failures).toEqual([]);
    expect(when.getTime()).toBe(1000);
  });

  it('restores Symbol-keyed and non-enumerable fields, with their flags', () => {
    const state = Symbol('state');
    const layer: Record<PropertyKey, unknown> = { [state]: { steps: 0 } };
    Object.defineProperty(layer, 'hidden', { value: [1, 2], writable: true, enumerable: false, configurable: true });
    const failures = restoredAfter(layer, () => {
      (layer[state] as { steps: number }).steps = 3;
      layer[state] = 'replaced';
      (layer.hidden as number[]).push(3);
      Object.defineProperty(layer, 'hidden', { value: 'other', enumerable: true, writable: false });
      layer[Symbol('added')] = 1;
    });
    expect(failures).toEqual([]);
  });

  it('restores array holes, length and extra named properties', () => {
    // eslint-disable-next-line no-sparse-arrays
    const list: unknown[] & { tag?: string } = [1, , 3];
    list.tag = 'x';
    const failures = restoredAfter({ list }, () => {
      list[1] = undefined;
      list.length = 10;
      list.tag = 'y';
      delete list[0];
    });
    expect(failures).toEqual([]);
    expect(1 in list).toBe(false);
  });

  it('puts back a changed prototype and the own key order', () => {
    class Dense {}
    const layer: Record<string, unknown> = { a: 1, b: 2, c: 3, inner: new Dense() };
    const failures = restoredAfter(layer, () => {
      Object.setPrototypeOf(layer.inner, null);
      delete layer.a;
      layer.a = 1;
      const b = layer.b;
      delete layer.b;
      layer.b = b;
    });
    expect(failures).toEqual([]);
    expect(Object.keys(layer)).toEqual(['a', 'b', 'c', 'inner']);
    expect(Object.getPrototypeOf(layer.inner)).toBe(Dense.prototype);
  });

  it('restores typed arrays sharing one buffer (overlapping subarrays), a DataView and NaN payloads bit for bit', () => {
    const buffer = new ArrayBuffer(64);
    const whole = new Float64Array(buffer);
    const bytes = new Uint8Array(buffer);
    bytes.set([0x01, 0, 0, 0, 0, 0, 0xf8, 0x7f], 8); // a NaN with payload 1 at whole[1]
    const layer = { whole, tail: whole.subarray(2), middle: new Float32Array(buffer, 8, 6), view: new DataView(buffer, 4, 16) };
    const failures = restoredAfter(layer, () => {
      layer.tail[0] = 1;
      layer.middle[1] = NaN;
      layer.view.setUint8(0, 0xff);
      whole[1] = NaN; // the canonical NaN: only the payload bytes differ
    });
    expect(failures).toEqual([]);
    expect([...bytes.subarray(8, 16)]).toEqual([0x01, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
  });

  // Its speed is not asserted here (shared machines are noisy): the test's timeout bounds it.
  it('snapshots and restores a 1M-entry number[] and three 1M Float32Arrays', () => {
    const layer = {
      big: Array.from({ length: 1_000_000 }, (_, i) => i / 3),
      weights: [new Float32Array(1_000_000), new Float32Array(1_000_000), new Float32Array(1_000_000)],
    };
    const snapshot = snapshotState(layer);
    layer.big[10] = 0;
    layer.big.push(1);
    layer.weights[2][999_999] = 1;
    const failures = snapshot.restore();
    expect(failures).toEqual([]);
    expect([layer.big.length, layer.big[10], layer.weights[2][999_999]]).toEqual([1_000_000, 10 / 3, 0]);
  });

  describe('arrays over 65,536 elements (the fast path)', () => {
    it('restores elements, holes, length and symbol keys', () => {
      const big: unknown[] = Array.from({ length: 70_000 }, (_, i) => i);
      const tag = Symbol('tag');
      const failures = restoredAfter({ big }, () => {
        big[5] = 'changed';
        delete big[6];
        big.length = 69_000;
        (big as unknown as Record<symbol, unknown>)[tag] = 1;
      });
      expect(failures).toEqual([]);
    });

    it('takes the exact path for an array holding an accessor element, without calling it', () => {
      let reads = 0;
      const big: unknown[] = Array.from({ length: 70_000 }, (_, i) => i);
      Object.defineProperty(big, 3, { get: () => ++reads, enumerable: true, configurable: true });
      const failures = restoredAfter({ big }, () => {
        Object.defineProperty(big, 3, { value: 'plain', writable: true, enumerable: true, configurable: true });
        big[4] = 'changed';
      });
      expect(failures).toEqual([]);
      expect(reads).toBe(0);
    });

    it('does not list their string-named properties (the documented cost trade-off)', () => {
      const big = Object.assign(Array.from({ length: 70_000 }, () => 0), { extra: 1 });
      const snapshot = snapshotState({ big });
      big.extra = 2;
      expect(snapshot.restore()).toEqual([]);
      expect(big.extra).toBe(2);
    });
  });

  it('restores nothing and reports nothing for unchanged frozen objects, also a frozen root', () => {
    const child = { count: 0 };
    const layer = Object.freeze({ config: Object.freeze({ lr: 0.1, sizes: Object.freeze([1, 2]) }), child });
    const failures = restoredAfter(layer, () => {
      child.count = 3;
    });
    expect(failures).toEqual([]);
  });

  describe('what cannot be put back is reported with its path', () => {
    it('a Proxy whose defineProperty and set traps refuse', () => {
      const target = { count: 0 };
      const guarded = new Proxy(target, { defineProperty: () => false, set: () => false, deleteProperty: () => false });
      const snapshot = snapshotState({ guarded });
      target.count = 5;
      (target as Record<string, unknown>).added = true;
      expect(snapshot.restore()).toEqual([
        { path: 'layer.guarded.added', reason: "the Proxy's deleteProperty trap refused to remove it" },
        { path: 'layer.guarded.count', reason: "the Proxy's defineProperty trap refused to put it back" },
      ]);
    });

    it('nothing for a refusing Proxy whose target is reachable too and gets restored directly', () => {
      const target = { count: 0 };
      const guarded = new Proxy(target, { defineProperty: () => false });
      const layer = { guarded, target };
      const failures = restoredAfter(layer, () => {
        target.count = 5;
      });
      expect(failures).toEqual([]);
    });

    it('a pass-through Proxy is restored through its traps', () => {
      const state = new Proxy({ steps: 0, history: [] as number[] }, {});
      const failures = restoredAfter({ state }, () => {
        state.steps = 4;
        state.history.push(1);
      });
      expect(failures).toEqual([]);
    });

    it('a Proxy whose ownKeys trap throws is listed as uninspectable; its siblings are still restored', () => {
      const opaque = new Proxy({}, {
        ownKeys() {
          throw new Error('no keys for you');
        },
      });
      const layer = { opaque, counter: 0 };
      const snapshot = snapshotState(layer);
      expect(snapshot.uninspectable).toEqual([
        { path: 'layer.opaque', reason: 'could not be inspected, so it is not restored: no keys for you' },
      ]);
      layer.counter = 9;
      expect(snapshot.restore()).toEqual([]);
      expect(layer.counter).toBe(0);
    });

    it('a detached (transferred) ArrayBuffer', () => {
      const layer = { cache: new Float32Array(4) };
      const snapshot = snapshotState(layer);
      structuredClone(layer.cache.buffer, { transfer: [layer.cache.buffer] });
      expect(snapshot.restore()).toEqual([
        { path: 'layer.cache.buffer', reason: 'the ArrayBuffer was detached (transferred) during the check' },
      ]);
    });

    it('a non-configurable property that changed, one added, and an object made non-extensible', () => {
      const state = Symbol('state');
      const W = [0, 1, 2, 3];
      Object.defineProperty(W, 3, { value: 3, writable: true, enumerable: true, configurable: false });
      const layer: Record<PropertyKey, unknown> = { cache: { W }, table: new Map([['k', { tmp: 1 }]]) };
      Object.defineProperty(layer, state, { value: 1, writable: true, enumerable: true, configurable: false });
      const snapshot = snapshotState(layer);
      Object.defineProperty(W, 3, { value: 9, writable: false });
      Object.defineProperty(layer, state, { value: 2, writable: false });
      Object.defineProperty(layer, 'pinned', { value: 1, configurable: false });
      const entry = (layer.table as Map<string, Record<string, unknown>>).get('k') as Record<string, unknown>;
      delete entry.tmp;
      Object.preventExtensions(entry);
      expect(snapshot.restore()).toEqual([
        { path: 'layer.pinned', reason: 'it was added as non-configurable during the check and cannot be removed' },
        { path: 'layer[Symbol(state)]', reason: 'it is non-configurable and was changed during the check' },
        { path: 'layer.cache.W[3]', reason: 'it is non-configurable and was changed during the check' },
        {
          path: 'layer.table.get("k").tmp',
          reason: 'the object was made non-extensible during the check, so the deleted property cannot be added back',
        },
        {
          path: 'layer.table.get("k")',
          reason: 'it was made non-extensible (preventExtensions, seal or freeze) during the check; that cannot be undone',
        },
      ]);
    });

    it('a growable SharedArrayBuffer that grew; a resizable ArrayBuffer is resized back', () => {
      type Resizing = new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
      type Growing = new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer & { grow(n: number): void };
      const resizable = new (ArrayBuffer as unknown as Resizing)(8, { maxByteLength: 16 });
      const growable = new (SharedArrayBuffer as unknown as Growing)(8, { maxByteLength: 16 });
      const layer = { resizable, growable };
      const snapshot = snapshotState(layer);
      resizable.resize(2);
      growable.grow(16);
      new Uint8Array(growable)[0] = 1;
      expect(snapshot.restore()).toEqual([
        { path: 'layer.growable', reason: 'it is 16 bytes long instead of 8 and cannot be resized back' },
      ]);
      expect([resizable.byteLength, new Uint8Array(growable)[0]]).toEqual([8, 0]);
    });

    it('names extra roots by their given names', () => {
      const input = { data: [1, 2] };
      Object.defineProperty(input, 'fixed', { value: 1, writable: true, configurable: false });
      const snapshot = snapshotState({}, [{ value: input, name: 'input' }]);
      Object.defineProperty(input, 'fixed', { value: 2, writable: false });
      input.data[0] = 5;
      expect(snapshot.restore()).toEqual([{ path: 'input.fixed', reason: 'it is non-configurable and was changed during the check' }]);
      expect(input.data).toEqual([1, 2]);
    });
  });

  it('can restore twice; the second time finds nothing to do', () => {
    const layer = { hidden: new Float64Array([1, 2]), log: [] as string[] };
    const before = captureDeepState(layer);
    const snapshot = snapshotState(layer);
    layer.hidden[0] = 0;
    layer.log.push('forward');
    expect(snapshot.restore()).toEqual([]);
    layer.log.push('again');
    expect(snapshot.restore()).toEqual([]);
    expectSameDeepState(before, captureDeepState(layer));
  });

  it('does not walk functions: their own properties are not layer state, the reference is', () => {
    const activation = Object.assign((x: number) => x, { calls: 0 });
    const layer = { activation };
    const snapshot = snapshotState(layer);
    activation.calls++;
    layer.activation = Object.assign((x: number) => -x, { calls: 0 });
    expect(snapshot.restore()).toEqual([]);
    expect(layer.activation).toBe(activation);
    expect(activation.calls).toBe(1);
  });
});

describe('tensors of libraries that manage their own memory', () => {
  /** A stand-in for a tfjs Variable: an engine handle that `assign` replaces (the engine frees the old one). */
  class EngineVariable {
    dataId: { id: number };
    constructor(readonly engine: Map<number, Float32Array>, values: number[]) {
      this.dataId = { id: engine.size };
      engine.set(this.dataId.id, Float32Array.from(values));
    }
    dataSync(): Float32Array {
      const data = this.engine.get(this.dataId.id);
      if (data === undefined) throw new TypeError('read of a freed buffer');
      return data;
    }
    assign(values: number[]): void {
      this.engine.delete(this.dataId.id);
      this.dataId = { id: this.engine.size + 100 };
      this.engine.set(this.dataId.id, Float32Array.from(values));
    }
  }

  it('leaves an engine tensor’s handle to its library instead of restoring a freed one', () => {
    const engine = new Map<number, Float32Array>();
    const layer = { kernel: new EngineVariable(engine, [1, 2]), cache: [0] };
    const snapshot = snapshotState(layer);
    layer.kernel.assign([5, 6]);
    layer.cache[0] = 9;
    layer.kernel.assign([1, 2]);
    expect(snapshot.restore()).toEqual([]);
    expect(Array.from(layer.kernel.dataSync())).toEqual([1, 2]);
    expect(layer.cache).toEqual([0]);
  });
});
