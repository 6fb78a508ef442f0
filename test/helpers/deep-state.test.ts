import { describe, expect, it } from 'vitest';
import { captureDeepState, deepStateDifferences, expectSameDeepState, type DeepState } from './deep-state.js';

/** Identity numbers depend on what earlier tests captured; `#n` keeps line assertions exact otherwise. */
const withoutNumbers = (state: DeepState) => state.lines.map((line) => line.replace(/#\d+/g, '#n'));

/** Differences a change makes (identity numbers as `#n`); first checks an untouched subject compares equal. */
function differencesAfter<T>(subject: T, change: (subject: T) => void): string[] {
  const before = captureDeepState(subject);
  expect(deepStateDifferences(before, captureDeepState(subject))).toEqual([]);
  change(subject);
  return deepStateDifferences(before, captureDeepState(subject)).map((line) => line.replace(/#\d+/g, '#n'));
}

const getOwnDescriptor = (target: object, key: string) => Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;

describe('captureDeepState', () => {
  it('describes one fact a line, numbers with their bits, without running accessors', () => {
    let reads = 0;
    const layer = {
      w: 0.1,
      get params() {
        return ++reads;
      },
    };
    expect(withoutNumbers(captureDeepState(layer))).toEqual([
      'layer = #n',
      'layer is = #n Object, prototype Object.prototype, extensible, keys [w, params]',
      'layer.w = 0.1 (0x3fb999999999999a) wec',
      'layer.params = accessor get fn#n "get params", set undefined -ec',
    ]);
    expect(reads).toBe(0);
  });

  it('handles cycles and shared references (each object is described once)', () => {
    const shared = { n: 1 };
    const layer: Record<string, unknown> = { a: shared, b: shared };
    layer.self = layer;
    const lines = withoutNumbers(captureDeepState(layer));
    expect(lines.filter((line) => line.includes(' is = '))).toEqual([
      'layer is = #n Object, prototype Object.prototype, extensible, keys [a, b, self]',
      'layer.a is = #n Object, prototype Object.prototype, extensible, keys [n]',
    ]);
    const state = captureDeepState(layer);
    const idOf = (key: string) => state.lines.find((line) => line.startsWith(`${key} = `))?.split(' ')[2];
    expect(idOf('layer.self')).toBe(idOf('layer'));
    expect(idOf('layer.b')).toBe(idOf('layer.a'));
  });

  it('detects a replaced object with the same contents (identity)', () => {
    const layer = { cache: { n: 1 } };
    const before = captureDeepState(layer);
    layer.cache = { n: 1 };
    const [replaced] = deepStateDifferences(before, captureDeepState(layer));
    expect(replaced).toMatch(/^layer\.cache: #(\d+) wec → #(?!\1)\d+ wec$/);
  });

  it('detects a changed prototype', () => {
    class Base {}
    expect(differencesAfter({ inner: new Base() }, (layer) => Object.setPrototypeOf(layer.inner, null))).toEqual([
      'layer.inner is: #n Object, prototype #n Base.prototype, extensible, keys [] → #n Object, prototype null, extensible, keys []',
    ]);
  });

  it('detects an added and a deleted string key', () => {
    const changes = differencesAfter({ a: 1, b: 2 } as Record<string, number>, (layer) => {
      delete layer.a;
      layer.c = 3;
    });
    expect(changes).toEqual([
      'layer is: #n Object, prototype Object.prototype, extensible, keys [a, b] → #n Object, prototype Object.prototype, extensible, keys [b, c]',
      '- layer.a = 1 (0x3ff0000000000000) wec',
      '+ layer.c = 3 (0x4008000000000000) wec',
    ]);
  });

  it('detects a changed symbol-keyed property', () => {
    const state = Symbol('state');
    expect(differencesAfter({ [state]: 1 }, (layer) => (layer[state] = 2))).toEqual([
      'layer[Symbol(state)#n]: 1 (0x3ff0000000000000) wec → 2 (0x4000000000000000) wec',
    ]);
  });

  it('detects a changed non-enumerable property and changed flags', () => {
    const layer = {};
    Object.defineProperty(layer, 'hidden', { value: 1, writable: true, enumerable: false, configurable: true });
    expect(differencesAfter(layer, (l) => Object.defineProperty(l, 'hidden', { value: 2, writable: false }))).toEqual([
      'layer.hidden: 1 (0x3ff0000000000000) w-c → 2 (0x4000000000000000) --c',
    ]);
  });

  it('detects an accessor replaced by another function, never calling either', () => {
    let reads = 0;
    const readLr = () => ++reads;
    const layer = { get lr() { return readLr(); } };
    const sameName = { get lr() { return readLr(); } };
    const changes = differencesAfter(layer, (l) => Object.defineProperty(l, 'lr', getOwnDescriptor(sameName, 'lr')));
    expect(changes).toEqual(['layer.lr: accessor get fn#n "get lr", set undefined -ec → accessor get fn#n "get lr", set undefined -ec']);
    expect(reads).toBe(0);
  });

  it('tells -0 from 0', () => {
    expect(differencesAfter({ bias: 0 }, (layer) => (layer.bias = -0))).toEqual([
      'layer.bias: 0 (0x0000000000000000) wec → -0 (0x8000000000000000) wec',
    ]);
  });

  it('detects a changed NaN payload in a typed array, naming the byte', () => {
    const w = new Float64Array(16).fill(NaN);
    const changes = differencesAfter({ w }, () => (new Uint8Array(w.buffer)[7 * 8] = 1));
    expect(changes.filter((line) => line.includes(' byte '))).toEqual([
      'layer.w bytes byte 56: 0x00 → 0x01',
      'layer.w.buffer bytes byte 56: 0x00 → 0x01',
    ]);
    expect(Number.isNaN(w[7])).toBe(true);
  });

  it('detects changed bytes of an ArrayBuffer and of a DataView', () => {
    const buffer = new ArrayBuffer(8);
    expect(differencesAfter({ buffer }, () => (new Uint8Array(buffer)[3] = 0xff))).toEqual([
      'layer.buffer bytes: 0000000000000000 → 000000ff00000000',
    ]);
    const view = new DataView(new ArrayBuffer(4));
    expect(differencesAfter({ view }, (layer) => layer.view.setInt8(1, -1))).toEqual([
      'layer.view bytes: 00000000 → 00ff0000',
      'layer.view.buffer bytes: 00000000 → 00ff0000',
    ]);
  });

  it('tells a hole from undefined and notices a changed length', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(differencesAfter({ list: [1, , 3] as unknown[] }, (layer) => (layer.list[1] = undefined))).toEqual([
      '- layer.list holes = 1',
      '+ layer.list[1] = undefined wec',
    ]);
    expect(differencesAfter({ list: [1, 2, 3] }, (layer) => (layer.list.length = 2))).toEqual([
      '- layer.list[2] = 3 (0x4008000000000000) wec',
      'layer.list.length: 3 (0x4008000000000000) w-- → 2 (0x4000000000000000) w--',
    ]);
  });

  it('detects changed Map contents and order, Set order and a Date value', () => {
    const table = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const reinsert = () => {
      table.delete('a');
      table.set('a', 1);
    };
    expect(differencesAfter({ table }, reinsert)).toEqual([
      'layer.table entry 0: "a" → 1 (0x3ff0000000000000) → "b" → 2 (0x4000000000000000)',
      'layer.table entry 1: "b" → 2 (0x4000000000000000) → "a" → 1 (0x3ff0000000000000)',
    ]);
    const seen = new Set([1, 2]);
    const reorder = () => {
      seen.delete(1);
      seen.add(1);
    };
    expect(differencesAfter({ seen }, reorder)).toEqual([
      'layer.seen value 0: 1 (0x3ff0000000000000) → 2 (0x4000000000000000)',
      'layer.seen value 1: 2 (0x4000000000000000) → 1 (0x3ff0000000000000)',
    ]);
    expect(differencesAfter({ when: new Date(0) }, (layer) => layer.when.setTime(1))).toEqual([
      'layer.when time: 0 (0x0000000000000000) → 1 (0x3ff0000000000000)',
    ]);
  });

  it('detects extensible → sealed → frozen', () => {
    expect(differencesAfter({ config: { lr: 1 } }, (layer) => Object.seal(layer.config))).toEqual([
      'layer.config is: #n Object, prototype Object.prototype, extensible, keys [lr] → #n Object, prototype Object.prototype, sealed, keys [lr]',
      'layer.config.lr: 1 (0x3ff0000000000000) wec → 1 (0x3ff0000000000000) we-',
    ]);
    expect(differencesAfter({ config: Object.seal({ lr: 1 }) }, (layer) => Object.freeze(layer.config))).toEqual([
      'layer.config is: #n Object, prototype Object.prototype, sealed, keys [lr] → #n Object, prototype Object.prototype, frozen, keys [lr]',
      'layer.config.lr: 1 (0x3ff0000000000000) we- → 1 (0x3ff0000000000000) -e-',
    ]);
  });

  it('detects a changed own key order', () => {
    const changes = differencesAfter({ a: 1, b: 2 } as Record<string, number>, (layer) => {
      delete layer.a;
      layer.a = 1;
    });
    expect(changes).toEqual([
      'layer is: #n Object, prototype Object.prototype, extensible, keys [a, b] → #n Object, prototype Object.prototype, extensible, keys [b, a]',
    ]);
  });

  // No timing assertion (shared machines are noisy); the test's own timeout bounds it.
  it('captures a 1,000,000-element array and names the changed element', () => {
    const layer = { big: Array.from({ length: 1_000_000 }, (_, i) => i / 7) };
    const before = captureDeepState(layer);
    layer.big[123_456] = -1;
    const changes = deepStateDifferences(before, captureDeepState(layer));
    expect(changes[1]).toBe('layer.big[123456]: 17636.571428571428 (0x40d1392492492492) → -1 (0xbff0000000000000)');
    expect(changes).toHaveLength(2);
  });

  it('expectSameDeepState passes on equal states and fails with the differences', () => {
    const layer = { w: 1 };
    const before = captureDeepState(layer);
    expectSameDeepState(before, captureDeepState(layer));
    layer.w = 2;
    expect(() => expectSameDeepState(before, captureDeepState(layer))).toThrow('layer.w: 1 (0x3ff0000000000000) wec → 2');
  });
});
