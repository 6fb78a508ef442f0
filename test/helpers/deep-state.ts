/**
 * Test oracle for "every value reachable from the layer is as it was, bit for bit". Written
 * independently of src/layer/state-snapshot.ts so the two cannot share a blind spot; slower, and
 * exact also where the snapshot takes its large-array fast path.
 *
 * A DeepState is one readable fact a line, `<path> <facet> = <value>`, in breadth-first walk order:
 * object identity (objects, functions and symbols keep one number across captures, so an object
 * replaced by an equal one shows up), prototypes (identity, not walked), extensible/sealed/frozen, own keys in order, every
 * own property's full descriptor (accessors by function identity, never invoked), numbers with
 * Object.is semantics and their IEEE-754 bits, array holes and length, typed-array / ArrayBuffer /
 * DataView bytes, Map and Set contents in order, Date values. Bulk data (bytes over 64, plain number
 * elements of arrays over 64) is a hash on the line plus an exact copy in `blocks`, which
 * `deepStateDifferences` uses to name the first changed element or byte.
 */
import { AssertionError } from 'node:assert';
import { types } from 'node:util';

export interface DeepState {
  /** `layer.W[0] = 0.1 (0x3fb999999999999a) wec`: the key is everything before the first ` = `. */
  readonly lines: readonly string[];
  /** Exact bytes behind each hashed line, by that line's key. */
  readonly blocks: ReadonlyMap<string, Uint8Array>;
}

/** Up to this many elements or bytes, each gets its own line; past it, a hashed block. */
const INLINE_LIMIT = 64;

interface Capture {
  readonly lines: string[];
  readonly blocks: Map<string, Uint8Array>;
  readonly walked: Set<object>;
  readonly queue: { target: object; path: string }[];
}

const { getOwnPropertyDescriptor, getPrototypeOf, isExtensible, ownKeys } = Reflect;
const typedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const callGetter = (prototype: object, key: PropertyKey, target: object): unknown =>
  (getOwnPropertyDescriptor(prototype, key)?.get as (this: object) => unknown).call(target);

export function captureDeepState(root: unknown, rootName = 'layer'): DeepState {
  const capture: Capture = { lines: [], blocks: new Map(), walked: new Set(), queue: [] };
  fact(capture, rootName, valueText(root, rootName, capture));
  for (let head = 0; head < capture.queue.length; head++) {
    const { target, path } = capture.queue[head];
    try {
      describeObject(target, path, capture);
    } catch (error) {
      fact(capture, `${path} uninspectable`, error instanceof Error ? error.message : 'non-Error thrown');
    }
  }
  return { lines: capture.lines, blocks: capture.blocks };
}

/** Readable differences, empty when the states are the same bit for bit. */
export function deepStateDifferences(before: DeepState, after: DeepState): string[] {
  const beforeFacts = factsByKey(before);
  const afterFacts = factsByKey(after);
  const differences: string[] = [];
  for (const [key, value] of beforeFacts) {
    const now = afterFacts.get(key);
    if (now === undefined) differences.push(`- ${key} = ${value}`);
    else if (now !== value) differences.push(`${key}: ${value} → ${now}`);
    const beforeBlock = before.blocks.get(key);
    const afterBlock = after.blocks.get(key);
    if (beforeBlock !== undefined && afterBlock !== undefined) {
      const detail = blockDifference(key, beforeBlock, afterBlock);
      if (detail !== null) differences.push(detail);
    }
  }
  for (const [key, value] of afterFacts) if (!beforeFacts.has(key)) differences.push(`+ ${key} = ${value}`);
  return differences;
}

/** Throws an AssertionError naming the first changes; runner-agnostic, so Vitest and Jest tests share it. */
export function expectSameDeepState(before: DeepState, after: DeepState): void {
  const differences = deepStateDifferences(before, after);
  if (differences.length === 0) return;
  // A whole-graph diff can run to thousands of lines; the first ones locate the change.
  const shown = differences.length > 40 ? [...differences.slice(0, 40), `… and ${differences.length - 40} more`] : differences;
  throw new AssertionError({ message: `the deep state changed:\n${shown.join('\n')}`, actual: shown, expected: [], operator: 'deepStrictEqual' });
}

function factsByKey(state: DeepState): Map<string, string> {
  const facts = new Map<string, string>();
  for (const line of state.lines) {
    const at = line.indexOf(' = ');
    facts.set(line.slice(0, at), line.slice(at + 3));
  }
  return facts;
}

function blockDifference(key: string, before: Uint8Array, after: Uint8Array): string | null {
  if (before.length !== after.length) return `${key}: ${before.length} → ${after.length} bytes`;
  let at = 0;
  while (at < before.length && before[at] === after[at]) at++;
  if (at === before.length) return null;
  if (key.endsWith(' numbers')) {
    const index = at >>> 3;
    const read = (bytes: Uint8Array) => new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)[index];
    return `${key.slice(0, -' numbers'.length)}[${index}]: ${numberText(read(before))} → ${numberText(read(after))}`;
  }
  return `${key} byte ${at}: 0x${hexByte(before[at])} → 0x${hexByte(after[at])}`;
}

function fact(capture: Capture, key: string, value: string): void {
  capture.lines.push(`${key} = ${value}`);
}

function describeObject(target: object, path: string, capture: Capture): void {
  const header = `${identity(target, '#')} ${brandOf(target)}, prototype ${prototypeText(getPrototypeOf(target))}, ${integrityOf(target)}`;
  const proxy = types.isProxy(target);
  let keys = ownKeys(target);
  if (!proxy && types.isTypedArray(target)) {
    const length = callGetter(typedArrayPrototype, 'length', target) as number;
    keys = keys.slice(length);
    describeView(target as unknown as Uint8Array, path, capture, 'TypedArray');
  } else if (!proxy && types.isDataView(target)) {
    describeView(target as DataView, path, capture, 'DataView');
  } else if (!proxy && types.isAnyArrayBuffer(target)) {
    describeBuffer(target as ArrayBufferLike, path, capture);
  } else if (!proxy && types.isMap(target)) {
    let i = 0;
    Map.prototype.forEach.call(target, (value: unknown, key: unknown) => {
      const keyText = valueText(key, `[...${path}.keys()][${i}]`, capture);
      fact(capture, `${path} entry ${i}`, `${keyText} → ${valueText(value, `${path}.get(${keyText})`, capture)}`);
      i++;
    });
    fact(capture, `${path} size`, String(i));
  } else if (!proxy && types.isSet(target)) {
    let i = 0;
    Set.prototype.forEach.call(target, (value: unknown) => {
      fact(capture, `${path} value ${i}`, valueText(value, `[...${path}][${i}]`, capture));
      i++;
    });
    fact(capture, `${path} size`, String(i));
  } else if (!proxy && types.isDate(target)) {
    fact(capture, `${path} time`, numberText(Date.prototype.getTime.call(target)));
  } else if (!proxy && Array.isArray(target)) {
    keys = describeElements(target, keys, path, capture);
  }
  // Indices are always listed in ascending order; the order of the other keys is state.
  let namedKeys = '';
  for (const key of keys) {
    if (typeof key === 'string' && isIndexKey(key)) continue;
    namedKeys += namedKeys === '' ? keyLabel(key) : `, ${keyLabel(key)}`;
  }
  fact(capture, `${path} is`, `${header}, keys [${namedKeys}]`);
  for (const key of keys) describeProperty(target, key, path, capture);
}

/** Describes an array's holes, and a long one's plain number elements in bulk; returns the keys left to describe. */
function describeElements(target: unknown[], keys: (string | symbol)[], path: string, capture: Capture): (string | symbol)[] {
  const length = getOwnPropertyDescriptor(target, 'length')?.value as number;
  // Indices come first, ascending; scanning back over the few named keys finds where they end.
  let indexEnd = keys.length;
  while (indexEnd > 0 && !(typeof keys[indexEnd - 1] === 'string' && isIndexKey(keys[indexEnd - 1] as string))) indexEnd--;
  const indices = indexEnd === length ? null : keys.slice(0, indexEnd).map(Number);
  if (indices !== null) fact(capture, `${path} holes`, holesText(indices, length));
  if (length <= INLINE_LIMIT || length > 2 ** 24) return keys;
  const numbers = new Float64Array(length);
  const oneByOne: string[] = [];
  let packed = 0;
  for (let k = 0; k < indexEnd; k++) {
    const index = indices === null ? k : indices[k];
    const descriptor = getOwnPropertyDescriptor(target, index) as PropertyDescriptor;
    const plain = 'value' in descriptor && typeof descriptor.value === 'number' && descriptor.writable && descriptor.enumerable && descriptor.configurable;
    if (plain) {
      numbers[index] = descriptor.value as number;
      packed++;
    } else {
      oneByOne.push(String(index));
    }
  }
  const bytes = new Uint8Array(numbers.buffer);
  fact(capture, `${path} numbers`, `${packed} plain number elements, hash ${hashBytes(bytes)}`);
  capture.blocks.set(`${path} numbers`, bytes);
  return [...oneByOne, ...keys.slice(indexEnd)];
}

/** Hole ranges from the ascending present indices; past 20 ranges, a hash keeps the line exact. */
function holesText(indices: readonly number[], length: number): string {
  const ranges: string[] = [];
  let next = 0;
  for (const index of [...indices, length]) {
    if (index > next) ranges.push(index - 1 === next ? String(next) : `${next}-${index - 1}`);
    next = index + 1;
  }
  if (ranges.length <= 20) return ranges.join(', ');
  return `${ranges.slice(0, 20).join(', ')} … ${ranges.length} ranges, hash ${hashBytes(new TextEncoder().encode(ranges.join()))}`;
}

function describeView(view: ArrayBufferView, path: string, capture: Capture, kind: 'TypedArray' | 'DataView'): void {
  const prototype = kind === 'TypedArray' ? typedArrayPrototype : DataView.prototype;
  const buffer = callGetter(prototype, 'buffer', view) as ArrayBufferLike;
  const byteOffset = callGetter(prototype, 'byteOffset', view) as number;
  const byteLength = callGetter(prototype, 'byteLength', view) as number;
  fact(capture, `${path} view`, `offset ${byteOffset}, ${byteLength} bytes`);
  describeBytes(new Uint8Array(buffer, byteOffset, byteLength), `${path} bytes`, capture);
  fact(capture, `${path} buffer`, valueText(buffer, `${path}.buffer`, capture));
}

function describeBuffer(buffer: ArrayBufferLike, path: string, capture: Capture): void {
  if (types.isArrayBuffer(buffer) && isDetached(buffer)) {
    fact(capture, `${path} bytes`, 'detached');
    return;
  }
  const resizable = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
  const growable = getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'growable')?.get;
  const resizes = types.isArrayBuffer(buffer) ? resizable?.call(buffer) : growable?.call(buffer);
  fact(capture, `${path} resizable`, String(resizes === true));
  describeBytes(new Uint8Array(buffer), `${path} bytes`, capture);
}

/** Node 20 has no ArrayBuffer.prototype.detached: a detached buffer is 0 bytes long and refuses views. */
function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function describeBytes(bytes: Uint8Array, key: string, capture: Capture): void {
  if (bytes.length <= INLINE_LIMIT) {
    fact(capture, key, Array.from(bytes, hexByte).join('') || '(none)');
    return;
  }
  const copy = bytes.slice();
  fact(capture, key, `${copy.length} bytes, hash ${hashBytes(copy)}`);
  capture.blocks.set(key, copy);
}

function describeProperty(target: object, key: string | symbol, path: string, capture: Capture): void {
  const propertyPath = path + keyPath(key);
  const descriptor = getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) {
    fact(capture, propertyPath, 'listed by ownKeys but absent');
    return;
  }
  const flags = (descriptor.writable ? 'w' : '-') + (descriptor.enumerable ? 'e' : '-') + (descriptor.configurable ? 'c' : '-');
  if ('value' in descriptor) {
    fact(capture, propertyPath, `${valueText(descriptor.value, propertyPath, capture)} ${flags}`);
  } else {
    const accessor = `get ${valueText(descriptor.get, propertyPath, capture)}, set ${valueText(descriptor.set, propertyPath, capture)}`;
    fact(capture, propertyPath, `accessor ${accessor} ${flags}`);
  }
}

/** A value as text; an object seen for the first time here is numbered and queued to be walked from `path`. */
function valueText(value: unknown, path: string, capture: Capture): string {
  switch (typeof value) {
    case 'number':
      return numberText(value);
    case 'string':
      return quote(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return identity(value, `${String(value)}#`);
    case 'function':
      return `${identity(value, 'fn#')} ${functionName(value)}`;
    case 'object':
      if (value === null) return 'null';
      if (!capture.walked.has(value)) {
        capture.walked.add(value);
        // A 100,000-deep chain would otherwise spell out paths of quadratic total length.
        capture.queue.push({ target: value, path: path.length > 200 ? identity(value, '#') : path });
      }
      return identity(value, '#');
    default:
      return String(value);
  }
}

/**
 * Numbers that follow an object, function or symbol from one capture to the next: numbering in
 * walk order would give a replacement the number of the object it replaced.
 */
const objectNumbers = new WeakMap<object, number>();
const symbolNumbers = new Map<symbol, number>();
let numbersGiven = 0;

function identity(value: object | symbol, prefix: string): string {
  const numbers = (typeof value === 'symbol' ? symbolNumbers : objectNumbers) as Map<object | symbol, number>;
  let number = numbers.get(value);
  if (number === undefined) {
    number = ++numbersGiven;
    numbers.set(value, number);
  }
  return `${prefix}${number}`;
}

const INTRINSIC_PROTOTYPES = new Map<unknown, string>(
  [
    Object, Array, Function, Map, Set, Date, ArrayBuffer, SharedArrayBuffer, DataView, WeakMap, WeakSet, WeakRef, Promise,
    Error, RegExp, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array, Buffer,
  ].map((constructor) => [constructor.prototype, `${constructor.name}.prototype`]),
);
INTRINSIC_PROTOTYPES.set(typedArrayPrototype, 'TypedArray.prototype');

/** Prototypes are shared, not layer state: named, or numbered with their class name as a hint. */
function prototypeText(prototype: object | null): string {
  if (prototype === null) return 'null';
  const intrinsic = INTRINSIC_PROTOTYPES.get(prototype);
  if (intrinsic !== undefined) return intrinsic;
  const constructor = getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  const hint = typeof constructor === 'function' ? ` ${functionName(constructor)}.prototype` : '';
  return identity(prototype, '#') + hint;
}

function functionName(fn: unknown): string {
  const name = getOwnPropertyDescriptor(fn as object, 'name')?.value;
  return typeof name === 'string' && name !== '' ? quoteIfNeeded(name) : '(anonymous)';
}

const BRANDS: readonly [(value: object) => boolean, string][] = [
  [Array.isArray, 'Array'], [types.isDataView, 'DataView'], [types.isArrayBuffer, 'ArrayBuffer'],
  [types.isSharedArrayBuffer, 'SharedArrayBuffer'], [types.isMap, 'Map'], [types.isSet, 'Set'], [types.isDate, 'Date'],
  [types.isWeakMap, 'WeakMap'], [types.isWeakSet, 'WeakSet'], [types.isPromise, 'Promise'],
];

function brandOf(target: object): string {
  if (types.isProxy(target)) return 'Proxy';
  if (types.isTypedArray(target)) return callGetter(typedArrayPrototype, Symbol.toStringTag, target) as string;
  return BRANDS.find(([is]) => is(target))?.[1] ?? 'Object';
}

function integrityOf(target: object): string {
  if (isExtensible(target)) return 'extensible';
  if (Object.isFrozen(target)) return 'frozen';
  return Object.isSealed(target) ? 'sealed' : 'non-extensible';
}

function keyPath(key: string | symbol): string {
  if (typeof key === 'symbol') return `[${keyLabel(key)}]`;
  if (isIndexKey(key)) return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${quote(key)}]`;
}

function keyLabel(key: string | symbol): string {
  return typeof key === 'symbol' ? identity(key, `${String(key)}#`) : quoteIfNeeded(key);
}

function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** JSON with `=` escaped, so no key ever contains the ` = ` that ends it. */
function quote(text: string): string {
  return JSON.stringify(text).replaceAll('=', '\\u003d');
}

function quoteIfNeeded(text: string): string {
  return /^[\w$.]+$/.test(text) ? text : quote(text);
}

const bitsView = new DataView(new ArrayBuffer(8));

/** Object.is-faithful: `-0` and `0` differ, and the bits show any change a decimal would round away. */
function numberText(value: number): string {
  bitsView.setFloat64(0, value);
  const bits = bitsView.getUint32(0).toString(16).padStart(8, '0') + bitsView.getUint32(4).toString(16).padStart(8, '0');
  return `${Object.is(value, -0) ? '-0' : String(value)} (0x${bits})`;
}

function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Two 32-bit FNV-1a lanes over the bytes: a short stand-in on the line; the block itself is compared exactly. */
function hashBytes(bytes: Uint8Array): string {
  let low = 0x811c9dc5;
  let high = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    low = Math.imul(low ^ bytes[i], 0x01000193);
    high = Math.imul(high ^ bytes[i] ^ (i & 0xff), 0x01000193);
  }
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}
