/**
 * Saves everything reachable from a layer so the checker can put the layer back exactly as it found
 * it, bit for bit, also when forward or backward throws halfway or replaces arrays with new ones.
 *
 * Restored: every own property (string and symbol keys, enumerable or not, data or accessor) of
 * every object reachable through own data properties, array elements, Map keys and values, Set
 * values and the buffer behind a typed array or DataView; the bytes of every ArrayBuffer and
 * SharedArrayBuffer (a view's whole buffer, also outside the view: for a Node Buffer from the shared
 * pool, the whole pool); Map and Set contents in insertion order; Date time values; each object's
 * prototype and extensibility; the order of its own keys. Properties are compared and put back by
 * descriptor, so no getter or setter ever runs; a property is written only when it, or its place in
 * the key order, changed.
 *
 * Not observable from JavaScript, so neither saved nor restored: #private fields, closure
 * variables, WeakMap/WeakSet/WeakRef contents, Promise state, module globals not reachable from the
 * layer. Functions are leaves (their own properties are not layer state) and prototypes are
 * compared by identity, not walked (they are shared by every instance).
 *
 * Arrays and typed arrays longer than LARGE_INDEXED_LENGTH elements: elements (values, holes) and
 * bytes, `length`, symbol keys, prototype and extensibility are restored, but string-named
 * properties are not listed and array elements keep the attributes they have (a changed value is
 * put back with its current flags). V8 spells out every index as a string to list an object's keys
 * (0.3–0.9 s for a 1M-element array) and no API lists only the named ones.
 *
 * Proxies are walked through their traps; what a trap refuses is reported, never thrown.
 *
 * Tensors of libraries that manage their own memory (tfjs: an engine `dataId` and `dataSync`) are
 * left alone, see `isEngineTensor`.
 */
import {
  isAnyArrayBuffer,
  isDataView,
  isDate,
  isKnownProxy,
  isMap,
  isNativeError,
  isSet,
  isSharedArrayBuffer,
  isTypedArray,
  proxyTest,
} from './builtin-brands.js';

export interface RestoreFailure {
  /** e.g. `layer.cache[2]` */
  path: string;
  /** why it could not be put back or inspected */
  reason: string;
}

export interface StateSnapshot {
  /**
   * Puts every saved reference and value back and returns what could not be (empty when all is as
   * it was). Safe to call more than once. Objects listed in `uninspectable` are not covered.
   */
  restore(): RestoreFailure[];
  /** Objects the walk could not inspect (a Proxy trap threw…), known as soon as the snapshot is taken. */
  readonly uninspectable: RestoreFailure[];
  /**
   * Whether `restore` puts back every element of this storage: an ArrayBuffer whose bytes it saved,
   * or an array whose elements it saved. Callers holding their own copy of such storage can drop it.
   */
  covers(storage: object): boolean;
}

/** Past this many elements an array or typed array takes the fast path described above. */
const LARGE_INDEXED_LENGTH = 65_536;

/** A longer array would need over 128 MB if dense, so it is sparse and listing its keys is cheaper. */
const MAX_DENSE_LENGTH = 2 ** 24;

// Builtins captured once, so layer code that patches a prototype cannot run inside the restore.
const { getOwnPropertyDescriptor, getPrototypeOf, setPrototypeOf, isExtensible, ownKeys, defineProperty, deleteProperty } =
  Reflect;
const { hasOwn, getOwnPropertySymbols } = Object;
const objectPrototype = Object.prototype as unknown as Record<string, (this: unknown, key: PropertyKey) => unknown>;
const lookupGetter = objectPrototype.__lookupGetter__;
const lookupSetter = objectPrototype.__lookupSetter__;
const typedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayLength = builtinGetter<number>(typedArrayPrototype, 'length');
const typedArrayBuffer = builtinGetter<ArrayBufferLike>(typedArrayPrototype, 'buffer');
const dataViewBuffer = builtinGetter<ArrayBufferLike>(DataView.prototype, 'buffer');
const arrayBufferByteLength = builtinGetter<number>(ArrayBuffer.prototype, 'byteLength');
// A page that is not cross-origin isolated (Vitest's browser mode by default) has no
// SharedArrayBuffer at all; reading its prototype unguarded made the package fail to import there.
const sharedBufferByteLength = typeof SharedArrayBuffer === 'function' ? builtinGetter<number>(SharedArrayBuffer.prototype, 'byteLength') : null;
const arrayBufferResizable = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
const arrayBufferResize = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resize')?.value as
  | ((this: ArrayBuffer, byteLength: number) => void)
  | undefined;
const { forEach: mapForEach, clear: mapClear, set: mapSet } = Map.prototype;
const mapSize = builtinGetter<number>(Map.prototype, 'size');
const { forEach: setForEach, clear: setClear, add: setAdd } = Set.prototype;
const setSize = builtinGetter<number>(Set.prototype, 'size');
const { getTime: dateGetTime, setTime: dateSetTime } = Date.prototype;

function builtinGetter<T>(prototype: object, key: string): (this: unknown) => T {
  const getter = getOwnPropertyDescriptor(prototype, key)?.get;
  if (getter === undefined) throw new Error(`The runtime lacks the ${key} getter the state snapshot relies on.`);
  return getter as (this: unknown) => T;
}

/** Where an object was first reached; spelled out as a path only when a failure names it. */
type Place =
  | { readonly kind: 'root'; readonly name: string }
  | { readonly kind: 'property'; readonly parent: Place; readonly key: PropertyKey }
  | { readonly kind: 'mapKey'; readonly parent: Place; readonly index: number }
  | { readonly kind: 'mapValue'; readonly parent: Place; readonly key: unknown; readonly index: number }
  | { readonly kind: 'setValue'; readonly parent: Place; readonly index: number }
  | { readonly kind: 'buffer'; readonly parent: Place };

/**
 * Which own keys a shape record tracks: all of them; all but a typed array's indices (its bytes are
 * saved with its buffer); or, for large indexed objects, symbols (and an array's `length`).
 */
type KeyScope = 'all' | 'non-index' | 'symbols' | 'length-and-symbols';

interface ShapeRecord {
  readonly kind: 'shape';
  readonly target: object;
  readonly place: Place;
  readonly scope: KeyScope;
  readonly prototype: object | null;
  readonly extensible: boolean;
  readonly keys: readonly PropertyKey[];
  /** `undefined` where a Proxy listed a key it then said it does not have. */
  readonly descriptors: readonly (PropertyDescriptor | undefined)[];
}

/** Elements of a large array, HOLE where there was none. */
interface ElementsRecord {
  readonly kind: 'elements';
  readonly target: unknown[];
  readonly place: Place;
  readonly values: readonly unknown[];
}

interface MapRecord {
  readonly kind: 'map';
  readonly target: Map<unknown, unknown>;
  readonly place: Place;
  readonly keys: readonly unknown[];
  readonly values: readonly unknown[];
}

interface SetRecord {
  readonly kind: 'set';
  readonly target: Set<unknown>;
  readonly place: Place;
  readonly values: readonly unknown[];
}

interface DateRecord {
  readonly kind: 'date';
  readonly target: Date;
  readonly place: Place;
  readonly time: number;
}

interface BytesRecord {
  readonly kind: 'bytes';
  readonly target: ArrayBufferLike;
  readonly place: Place;
  readonly shared: boolean;
  readonly detached: boolean;
  readonly copy: Uint8Array;
}

type SavedRecord = ShapeRecord | ElementsRecord | MapRecord | SetRecord | DateRecord | BytesRecord;

const HOLE = Symbol('hole');
const ACCESSOR = Symbol('accessor');

/** One snapshot's walk; objects found but not yet inspected wait on two parallel stacks (no tuple per edge). */
interface Walk {
  readonly records: SavedRecord[];
  readonly uninspectable: RestoreFailure[];
  readonly seen: Set<object>;
  readonly pendingObjects: object[];
  readonly pendingPlaces: Place[];
  anyProxy: boolean;
}

export function snapshotState(
  root: object,
  extraRoots: readonly { value: unknown; name: string }[] = [],
  rootName = 'layer',
): StateSnapshot {
  const walk: Walk = {
    records: [],
    uninspectable: [],
    seen: new Set(),
    pendingObjects: [],
    pendingPlaces: [],
    anyProxy: false,
  };
  const roots = [{ value: root as unknown, name: rootName }, ...extraRoots];
  for (let i = roots.length - 1; i >= 0; i--) discover(roots[i].value, { kind: 'root', name: roots[i].name }, walk);
  while (walk.pendingObjects.length > 0) {
    const target = walk.pendingObjects.pop() as object;
    const place = walk.pendingPlaces.pop() as Place;
    inspectOrReport(target, place, walk);
  }
  const { records, anyProxy, uninspectable } = walk;
  const covered = new Set<object>();
  for (const record of records) {
    // Through a Proxy a restore may be refused; such storage stays the caller's to save.
    if (record.kind === 'bytes' && !record.detached) covered.add(record.target);
    else if (record.kind === 'elements' && !isKnownProxy(record.target)) covered.add(record.target);
    else if (record.kind === 'shape' && record.scope === 'all' && Array.isArray(record.target) && !isKnownProxy(record.target)) covered.add(record.target);
  }
  return { uninspectable, restore: () => restoreAll(records, anyProxy), covers: (storage) => covered.has(storage) };
}

function discover(value: unknown, place: Place, walk: Walk): void {
  if (typeof value !== 'object' || value === null || walk.seen.has(value)) return;
  walk.seen.add(value);
  walk.pendingObjects.push(value);
  walk.pendingPlaces.push(place);
}

function inspectOrReport(target: object, place: Place, walk: Walk): void {
  const recordCount = walk.records.length;
  const pendingCount = walk.pendingObjects.length;
  try {
    saveObject(target, place, walk);
    // Children pop in key order, so failures are listed in the order a reader meets them.
    reverseFrom(walk.pendingObjects, pendingCount);
    reverseFrom(walk.pendingPlaces, pendingCount);
  } catch (error) {
    // Nothing half-saved: restoring a partial record would "put back" a state the object never had.
    walk.records.length = recordCount;
    for (const child of walk.pendingObjects.splice(pendingCount)) walk.seen.delete(child);
    walk.pendingPlaces.length = pendingCount;
    walk.uninspectable.push(failureAt(place, undefined, `could not be inspected, so it is not restored: ${describeThrown(error)}`));
  }
}

function reverseFrom(items: unknown[], start: number): void {
  for (let i = start, j = items.length - 1; i < j; i++, j--) [items[i], items[j]] = [items[j], items[i]];
}

/**
 * A tensor or variable of a library that manages its memory itself (tfjs: a `dataId` handle into
 * its engine, `dataSync` on the prototype). Putting an old handle back would point it at a buffer
 * the engine already freed, so such objects are left to their library: their values come back
 * through the layer's own forward, which the check always makes last, at the original values.
 */
function isEngineTensor(target: object): boolean {
  const handle = getOwnPropertyDescriptor(target, 'dataId');
  if (handle === undefined || !('value' in handle) || typeof handle.value !== 'object' || handle.value === null) return false;
  for (let proto = getPrototypeOf(target); proto !== null; proto = getPrototypeOf(proto)) {
    const method = getOwnPropertyDescriptor(proto, 'dataSync');
    if (method !== undefined) return 'value' in method && typeof method.value === 'function';
  }
  return false;
}

function saveObject(target: object, place: Place, walk: Walk): void {
  if (isEngineTensor(target)) return;
  // A Proxy carries none of its target's internal slots: it is an ordinary object seen through traps.
  // Where Proxies cannot be recognised (browsers), any object may be one: verify everything.
  const proxy = isKnownProxy(target);
  if (proxy || proxyTest === null) walk.anyProxy = true;
  if (!proxy && isTypedArray(target)) {
    const large = typedArrayLength.call(target) > LARGE_INDEXED_LENGTH;
    saveShape(target, place, large ? 'symbols' : 'non-index', walk);
    discover(typedArrayBuffer.call(target), { kind: 'buffer', parent: place }, walk);
  } else if (!proxy && isDataView(target)) {
    saveShape(target, place, 'all', walk);
    discover(dataViewBuffer.call(target), { kind: 'buffer', parent: place }, walk);
  } else if (!proxy && isAnyArrayBuffer(target)) {
    saveShape(target, place, 'all', walk);
    walk.records.push(saveBytes(target as ArrayBufferLike, place));
  } else if (!proxy && isMap(target)) {
    saveShape(target, place, 'all', walk);
    saveMap(target as Map<unknown, unknown>, place, walk);
  } else if (!proxy && isSet(target)) {
    saveShape(target, place, 'all', walk);
    saveSet(target as Set<unknown>, place, walk);
  } else if (!proxy && isDate(target)) {
    saveShape(target, place, 'all', walk);
    walk.records.push({ kind: 'date', target: target as Date, place, time: dateGetTime.call(target) });
  } else if (Array.isArray(target)) {
    saveArray(target, place, walk);
  } else {
    saveShape(target, place, 'all', walk);
  }
}

function currentKeys(target: object, scope: KeyScope): PropertyKey[] {
  switch (scope) {
    case 'all':
      return ownKeys(target);
    case 'non-index':
      // A typed array lists its indices first, one per element.
      return ownKeys(target).slice(typedArrayLength.call(target));
    case 'symbols':
      return getOwnPropertySymbols(target);
    case 'length-and-symbols':
      return ['length', ...getOwnPropertySymbols(target)];
  }
}

function saveShape(target: object, place: Place, scope: KeyScope, walk: Walk): void {
  const prototype = getPrototypeOf(target);
  const extensible = isExtensible(target);
  const keys = currentKeys(target, scope);
  const descriptors = keys.map((key) => getOwnPropertyDescriptor(target, key));
  walk.records.push({ kind: 'shape', target, place, scope, prototype, extensible, keys, descriptors });
  keys.forEach((key, i) => {
    const descriptor = descriptors[i];
    if (descriptor !== undefined && 'value' in descriptor) discoverChild(descriptor.value, place, key, walk);
  });
}

function discoverChild(value: unknown, parent: Place, key: PropertyKey, walk: Walk): void {
  if (typeof value === 'object' && value !== null && !walk.seen.has(value)) {
    discover(value, { kind: 'property', parent, key }, walk);
  }
}

function saveArray(target: unknown[], place: Place, walk: Walk): void {
  const length = (getOwnPropertyDescriptor(target, 'length')?.value ?? 0) as number;
  const values = length > LARGE_INDEXED_LENGTH && length <= MAX_DENSE_LENGTH ? saveElements(target, length) : null;
  if (values === null) {
    saveShape(target, place, 'all', walk);
    return;
  }
  saveShape(target, place, 'length-and-symbols', walk);
  walk.records.push({ kind: 'elements', target, place, values });
  for (let i = 0; i < length; i++) discoverChild(values[i], place, i, walk);
}

/** The elements of a large array, or null when one is an accessor: those take the exact, slower path. */
function saveElements(target: unknown[], length: number): unknown[] | null {
  const values: unknown[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const value = elementAt(target, i);
    if (value === ACCESSOR) return null;
    values[i] = value;
  }
  return values;
}

/** An element's value, HOLE or ACCESSOR, read without running any getter. */
function elementAt(target: unknown[], index: number): unknown {
  if (!hasOwn(target, index)) return HOLE;
  if (lookupGetter.call(target, index) !== undefined) return ACCESSOR;
  const value = target[index];
  // A setter-only accessor reads as undefined without running anything.
  if (value === undefined && lookupSetter.call(target, index) !== undefined) return ACCESSOR;
  return value;
}

function saveMap(target: Map<unknown, unknown>, place: Place, walk: Walk): void {
  const keys: unknown[] = [];
  const values: unknown[] = [];
  mapForEach.call(target, (value, key) => {
    keys.push(key);
    values.push(value);
  });
  walk.records.push({ kind: 'map', target, place, keys, values });
  keys.forEach((key, index) => {
    discover(key, { kind: 'mapKey', parent: place, index }, walk);
    discover(values[index], { kind: 'mapValue', parent: place, key, index }, walk);
  });
}

function saveSet(target: Set<unknown>, place: Place, walk: Walk): void {
  const values: unknown[] = [];
  setForEach.call(target, (value) => values.push(value));
  walk.records.push({ kind: 'set', target, place, values });
  values.forEach((value, index) => discover(value, { kind: 'setValue', parent: place, index }, walk));
}

function saveBytes(target: ArrayBufferLike, place: Place): BytesRecord {
  const shared = isSharedArrayBuffer(target);
  const detached = !shared && isDetached(target as ArrayBuffer);
  const copy = new Uint8Array(detached ? 0 : byteLengthOf(target, shared));
  // Bytes, not numbers: a float round trip could change a NaN's payload.
  if (!detached) copy.set(new Uint8Array(target));
  return { kind: 'bytes', target, place, shared, detached, copy };
}

function byteLengthOf(target: ArrayBufferLike, shared: boolean): number {
  // `shared` is true only where isSharedArrayBuffer found a SharedArrayBuffer, so the getter exists then.
  return (shared && sharedBufferByteLength !== null ? sharedBufferByteLength : arrayBufferByteLength).call(target);
}

/** Node 20 has no ArrayBuffer.prototype.detached: a detached buffer reads as 0 bytes and refuses views. */
function isDetached(buffer: ArrayBuffer): boolean {
  if (arrayBufferByteLength.call(buffer) !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function restoreAll(records: readonly SavedRecord[], anyProxy: boolean): RestoreFailure[] {
  const refused = new Map<SavedRecord, RestoreFailure[]>();
  const written: SavedRecord[] = [];
  for (const record of records) {
    const failures: RestoreFailure[] = [];
    let wrote = true;
    try {
      wrote = restoreRecord(record, failures);
    } catch (error) {
      failures.push(failureAt(record.place, undefined, `restoring it threw: ${describeThrown(error)}`));
    }
    if (failures.length > 0) refused.set(record, failures);
    if (wrote || failures.length > 0) written.push(record);
  }
  // Only a Proxy trap runs layer code during the restore; without one, a record found equal above
  // still is, so verifying what was written covers everything.
  const remaining: RestoreFailure[] = [];
  for (const record of anyProxy ? records : written) {
    let difference: { key?: PropertyKey; what: string } | null;
    try {
      difference = recordDifference(record);
    } catch (error) {
      difference = { what: `checking it threw: ${describeThrown(error)}` };
    }
    if (difference === null) continue; // also a refusal that a later record made good (a Proxy's target)
    remaining.push(...(refused.get(record) ?? [failureAt(record.place, difference.key, `still differs after restoring: ${difference.what}`)]));
  }
  return remaining;
}

/** Puts one record back where it differs; returns whether anything was written. */
function restoreRecord(record: SavedRecord, failures: RestoreFailure[]): boolean {
  switch (record.kind) {
    case 'shape':
      return restoreShape(record, failures);
    case 'elements':
      return restoreElements(record, failures);
    case 'map':
      if (sameMapContents(record)) return false;
      mapClear.call(record.target);
      record.keys.forEach((key, i) => mapSet.call(record.target, key, record.values[i]));
      return true;
    case 'set':
      if (sameSetContents(record)) return false;
      setClear.call(record.target);
      for (const value of record.values) setAdd.call(record.target, value);
      return true;
    case 'date':
      if (Object.is(dateGetTime.call(record.target), record.time)) return false;
      dateSetTime.call(record.target, record.time);
      return true;
    case 'bytes':
      return restoreBytes(record, failures);
  }
}

function restoreShape(record: ShapeRecord, failures: RestoreFailure[]): boolean {
  const { target, keys, descriptors } = record;
  const keysNow = currentKeys(target, record.scope);
  const sameKeys = sameKeyList(keysNow, keys);
  let wrote = !sameKeys;
  if (!sameKeys) {
    const savedKeys = new Set(keys);
    for (const key of keysNow) {
      if (!savedKeys.has(key) && !deleteProperty(target, key)) {
        failures.push(failureAt(record.place, key, refusedDeleteReason(target)));
      }
    }
  }
  keys.forEach((key, i) => {
    const saved = descriptors[i];
    if (sameDescriptor(getOwnPropertyDescriptor(target, key), saved)) return;
    wrote = true;
    const done = saved === undefined ? deleteProperty(target, key) : defineProperty(target, key, saved);
    if (!done) failures.push(failureAt(record.place, key, refusedDefineReason(target, key, saved)));
  });
  if (getPrototypeOf(target) !== record.prototype) {
    wrote = true;
    if (!setPrototypeOf(target, record.prototype)) {
      failures.push(failureAt(record.place, undefined, refusedPrototypeReason(target)));
    }
  }
  if (record.extensible && !isExtensible(target)) {
    failures.push(
      failureAt(record.place, undefined, 'it was made non-extensible (preventExtensions, seal or freeze) during the check; that cannot be undone'),
    );
  }
  if (!sameKeys) restoreKeyOrder(record, failures);
  return wrote;
}

/**
 * Integer keys are always listed in ascending order; other string keys, then symbols, in creation
 * order. Deleting and redefining the keys from the first one out of place appends them in saved order.
 */
function restoreKeyOrder(record: ShapeRecord, failures: RestoreFailure[]): void {
  const keysNow = currentKeys(record.target, record.scope);
  if (sameKeyList(keysNow, record.keys) || keysNow.length !== record.keys.length) return;
  for (const inGroup of [isNamedStringKey, isSymbolKey]) {
    const saved = record.keys.filter(inGroup);
    const current = keysNow.filter(inGroup);
    let first = 0;
    while (first < saved.length && saved[first] === current[first]) first++;
    const toMove = saved.slice(first);
    const stuck = toMove.find((key) => getOwnPropertyDescriptor(record.target, key)?.configurable === false);
    if (stuck !== undefined) {
      failures.push(
        failureAt(record.place, undefined, `its own keys were reordered and ${keyText(stuck)} is non-configurable, so the order cannot be put back`),
      );
      continue;
    }
    const savedIndex = new Map(record.keys.map((key, i) => [key, i]));
    for (const key of toMove) {
      const descriptor = record.descriptors[savedIndex.get(key) as number];
      if (descriptor === undefined || !deleteProperty(record.target, key) || !defineProperty(record.target, key, descriptor)) {
        failures.push(failureAt(record.place, key, 'it could not be moved back to its place in the key order'));
      }
    }
  }
}

function isNamedStringKey(key: PropertyKey): boolean {
  return typeof key === 'string' && !isIndexKey(key);
}

function isSymbolKey(key: PropertyKey): boolean {
  return typeof key === 'symbol';
}

/** An array index: canonical decimal below 2^32 − 1, the keys every object lists first, ascending. */
function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

function restoreElements(record: ElementsRecord, failures: RestoreFailure[]): boolean {
  const { target, values } = record;
  let wrote = false;
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    const current = elementAt(target, i);
    if (Object.is(current, saved)) continue;
    wrote = true;
    const done =
      saved === HOLE
        ? deleteProperty(target, i)
        : defineProperty(
            target,
            i,
            // An existing data element keeps its flags; a new one gets those of an ordinary element.
            current === HOLE || current === ACCESSOR ? { value: saved, writable: true, enumerable: true, configurable: true } : { value: saved },
          );
    if (!done) {
      const reason = saved === HOLE ? refusedDeleteReason(target) : refusedDefineReason(target, i, { value: saved });
      failures.push(failureAt(record.place, i, reason));
    }
  }
  return wrote;
}

function restoreBytes(record: BytesRecord, failures: RestoreFailure[]): boolean {
  const { target, shared, copy } = record;
  if (!shared && isDetached(target as ArrayBuffer)) {
    if (record.detached) return false;
    failures.push(failureAt(record.place, undefined, 'the ArrayBuffer was detached (transferred) during the check'));
    return true;
  }
  let wrote = false;
  let byteLength = byteLengthOf(target, shared);
  if (byteLength !== copy.length) {
    wrote = true;
    if (!shared && arrayBufferResize !== undefined && arrayBufferResizable?.call(target) === true) {
      arrayBufferResize.call(target as ArrayBuffer, copy.length);
      byteLength = copy.length;
    } else {
      failures.push(
        failureAt(record.place, undefined, `it is ${byteLength} bytes long instead of ${copy.length} and cannot be resized back`),
      );
    }
  }
  const live = new Uint8Array(target, 0, Math.min(byteLength, copy.length));
  const saved = copy.subarray(0, live.length);
  if (firstDifferentByte(live, saved) >= 0) {
    live.set(saved);
    wrote = true;
  }
  return wrote;
}

/** What still differs from the saved state, or null. */
function recordDifference(record: SavedRecord): { key?: PropertyKey; what: string } | null {
  switch (record.kind) {
    case 'shape':
      return shapeDifference(record);
    case 'elements': {
      for (let i = 0; i < record.values.length; i++) {
        if (!Object.is(elementAt(record.target, i), record.values[i])) return { key: i, what: 'the element is not the saved one' };
      }
      return null;
    }
    case 'map':
      return sameMapContents(record) ? null : { what: 'its entries are not the saved ones' };
    case 'set':
      return sameSetContents(record) ? null : { what: 'its values are not the saved ones' };
    case 'date':
      return Object.is(dateGetTime.call(record.target), record.time) ? null : { what: 'its time value is not the saved one' };
    case 'bytes':
      return bytesDifference(record);
  }
}

function shapeDifference(record: ShapeRecord): { key?: PropertyKey; what: string } | null {
  const { target, keys, descriptors } = record;
  if (getPrototypeOf(target) !== record.prototype) return { what: 'its prototype is not the saved one' };
  if (isExtensible(target) !== record.extensible) return { what: 'its extensibility is not the saved one' };
  for (let i = 0; i < keys.length; i++) {
    if (!sameDescriptor(getOwnPropertyDescriptor(target, keys[i]), descriptors[i])) {
      return { key: keys[i], what: 'the property is not the saved one' };
    }
  }
  const keysNow = currentKeys(target, record.scope);
  if (sameKeyList(keysNow, keys)) return null;
  const savedKeys = new Set(keys);
  const extra = keysNow.find((key) => !savedKeys.has(key));
  return extra === undefined ? { what: 'its own keys are in a different order' } : { key: extra, what: 'the property was added during the check' };
}

function bytesDifference(record: BytesRecord): { what: string } | null {
  const { target, shared, copy } = record;
  if (!shared && isDetached(target as ArrayBuffer)) return record.detached ? null : { what: 'it is detached' };
  const byteLength = byteLengthOf(target, shared);
  if (byteLength !== copy.length) return { what: `it is ${byteLength} bytes long instead of ${copy.length}` };
  const at = firstDifferentByte(new Uint8Array(target), copy);
  return at < 0 ? null : { what: `byte ${at} is not the saved one` };
}

function sameMapContents(record: MapRecord): boolean {
  if (mapSize.call(record.target) !== record.keys.length) return false;
  let same = true;
  let i = 0;
  mapForEach.call(record.target, (value, key) => {
    same &&= Object.is(key, record.keys[i]) && Object.is(value, record.values[i]);
    i++;
  });
  return same;
}

function sameSetContents(record: SetRecord): boolean {
  if (setSize.call(record.target) !== record.values.length) return false;
  let same = true;
  let i = 0;
  setForEach.call(record.target, (value) => {
    same &&= Object.is(value, record.values[i++]);
  });
  return same;
}

function sameKeyList(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameDescriptor(current: PropertyDescriptor | undefined, saved: PropertyDescriptor | undefined): boolean {
  if (current === undefined || saved === undefined) return current === saved;
  if (current.enumerable !== saved.enumerable || current.configurable !== saved.configurable) return false;
  if ('value' in saved) return 'value' in current && Object.is(current.value, saved.value) && current.writable === saved.writable;
  return !('value' in current) && current.get === saved.get && current.set === saved.set;
}

/** Index of the first byte that differs (-1 if none); compares whole words, ~15× faster on megabytes. */
function firstDifferentByte(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = length >>> 2;
    const wordsA = new Int32Array(a.buffer, a.byteOffset, words);
    const wordsB = new Int32Array(b.buffer, b.byteOffset, words);
    while (i < words && wordsA[i] === wordsB[i]) i++;
    i *= 4;
  }
  for (; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

function refusedDefineReason(target: object, key: PropertyKey, saved: PropertyDescriptor | undefined): string {
  if (isKnownProxy(target)) return "the Proxy's defineProperty trap refused to put it back";
  const current = getOwnPropertyDescriptor(target, key);
  if (key === 'length' && Array.isArray(target)) return 'the array could not get its saved length back (an element past it is non-configurable)';
  if (saved === undefined) return 'it was added as non-configurable during the check and cannot be removed';
  if (current === undefined) return 'the object was made non-extensible during the check, so the deleted property cannot be added back';
  if (current.configurable === false) return 'it is non-configurable and was changed during the check';
  return 'defineProperty refused to put it back';
}

function refusedDeleteReason(target: object): string {
  return isKnownProxy(target)
    ? "the Proxy's deleteProperty trap refused to remove it"
    : 'it was added as non-configurable during the check and cannot be removed';
}

function refusedPrototypeReason(target: object): string {
  if (isKnownProxy(target)) return "the Proxy's setPrototypeOf trap refused to put the prototype back";
  return isExtensible(target)
    ? 'its prototype could not be put back'
    : 'it was made non-extensible during the check, so its prototype cannot be put back';
}

function describeThrown(error: unknown): string {
  if (isNativeError(error)) {
    const message = getOwnPropertyDescriptor(error, 'message')?.value;
    if (typeof message === 'string') return message;
  }
  // Converting an arbitrary thrown object to text would run its toString: layer code.
  return typeof error === 'object' || typeof error === 'function' ? 'a non-Error value was thrown' : String(error);
}

function failureAt(place: Place, key: PropertyKey | undefined, reason: string): RestoreFailure {
  return { path: pathOf(place) + (key === undefined ? '' : keyText(key)), reason };
}

function pathOf(place: Place): string {
  const chain: Exclude<Place, { kind: 'root' }>[] = [];
  let current = place;
  while (current.kind !== 'root') {
    chain.push(current);
    current = current.parent;
  }
  let path = current.name;
  for (let i = chain.length - 1; i >= 0; i--) path = extendPath(path, chain[i]);
  return path;
}

function extendPath(path: string, place: Exclude<Place, { kind: 'root' }>): string {
  switch (place.kind) {
    case 'property':
      return path + keyText(place.key);
    case 'mapKey':
      return `[...${path}.keys()][${place.index}]`;
    case 'mapValue':
      return `${path}.get(${mapKeyText(place.key, place.index)})`;
    case 'setValue':
      return `[...${path}][${place.index}]`;
    case 'buffer':
      return `${path}.buffer`;
  }
}

function keyText(key: PropertyKey): string {
  if (typeof key === 'symbol') return `[${String(key)}]`;
  if (typeof key === 'number' || isIndexKey(key)) return `[${String(key)}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function mapKeyText(key: unknown, index: number): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'bigint':
      return `${key}n`;
    case 'object':
    case 'function':
      return key === null ? 'null' : `<key #${index}>`;
    default:
      return String(key);
  }
}
