import type { AccessorParam, ArrayAccessorParam, Layer, ParamRecord, PropertyParam } from './protocol.js';
import { ContainerError, createView, isNumericContainer, isTensorLike, product, readAll, sharesStorage, type NumericView } from './numeric-view.js';
import { arrayAccessorView, entryAccessorView } from './accessor-view.js';
import { describeValue, escapeText } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';
import { isObjectRecord } from './object-record.js';
import { tensorClassOf } from './tensor-class.js';

/** One parameter tensor of a layer, whatever form the layer declared it in. */
export interface ParamSlot {
  /** Unique among the layer's tensors, control characters escaped. */
  name: string;
  value: NumericView;
  /**
   * Re-reads the gradient from the layer (backward may have replaced it): storage, a number, an
   * accessor, or what a gradient function returned. Functions are called here, once per read.
   */
  gradContainer(): unknown;
  /**
   * Forgets the gradients read since the last call: each read of `grads()` (or of a gradient
   * function) may have side effects (an update step that hands gradients to an optimizer and then
   * zeroes them), so one read serves every parameter until backward runs again.
   */
  refreshGrads(): void;
  /**
   * The gradient is computed by a function of the layer's (a record's `grad: () => …`, a `grads()`
   * method or function): it may exist only after backward (`.grad.data` of a tensor not yet
   * allocated) or run an update step, so it is read after a backward call, never before the first.
   */
  readonly gradIsComputed: boolean;
}

/** Values computed once per epoch: the gradient reads between two backward calls. */
function createEpochCache(): { memo<T>(key: string, compute: () => T): T; clear(): void } {
  const values = new Map<string, unknown>();
  return {
    memo<T>(key: string, compute: () => T): T {
      if (values.has(key)) return values.get(key) as T;
      const value = compute();
      values.set(key, value);
      return value;
    },
    clear() {
      values.clear();
    },
  };
}

/** Thrown for a layer that does not follow the protocol; the message says how to fix it. */
export class LayerProtocolError extends TypeError {}

/** The name the input tensor is reported under; a parameter of that name is renamed. */
export const INPUT_NAME = 'input';

const PARAM_FORMS =
  'Declare parameters as (a) params: [{ name, value, grad }] (or { name, get, set, shape, grad }, { name, read, write, grad }, { property, grad }), ' +
  '(b) params: { W, b } with grads: { W, b }, (c) params: [W, b] with grads: [dW, db], or (d) any of these returned by params() / grads().';

// A registered tensor class is storage even when it has get/set methods of its own (a Matrix).
const isPlainObject = (value: unknown): value is Record<string, unknown> => isObjectRecord(value) && tensorClassOf(value) === null;

const isParamRecord = (value: unknown): value is ParamRecord => isPlainObject(value) && 'value' in value;

/** `{ get, set }`: entries through the layer's own methods (the record may also carry name, shape, grad). */
const isAccessorParam = (value: unknown): value is AccessorParam =>
  isPlainObject(value) && typeof value.get === 'function' && typeof value.set === 'function' && !('value' in value);

const isArrayAccessorParam = (value: unknown): value is ArrayAccessorParam =>
  isPlainObject(value) && typeof value.read === 'function' && typeof value.write === 'function' && !('value' in value);

const isPropertyParam = (value: unknown): value is PropertyParam => isPlainObject(value) && typeof value.property === 'string' && !('value' in value);

/** Any form-(a) record: storage with `value`, entry accessors, whole-array accessors, or a numeric property. */
const isAnyParamRecord = (value: unknown): boolean => isParamRecord(value) || isAccessorParam(value) || isArrayAccessorParam(value) || isPropertyParam(value);

/** What a parameter's storage is, before it gets its reported name. */
type ValueSource =
  | { kind: 'container'; value: unknown; shape?: readonly number[] }
  | { kind: 'entries'; access: AccessorParam; shape: readonly number[] | null }
  | { kind: 'array'; access: ArrayAccessorParam; shape: readonly number[] | null };

/** A gradient function is called on every read: the gradient may exist only after backward (or inside an update step). */
function gradValue(source: unknown, owner: object | null): unknown {
  if (typeof source === 'function') {
    const value = (source as () => unknown).call(owner);
    if (isThenable(value)) {
      silenceRejection(value);
      throw new LayerProtocolError('a gradient function returned a Promise; it must return the gradient itself.');
    }
    return value;
  }
  return source;
}

/** The storage declared by an accessor record, as a shape (null for a scalar) after checking size and shape agree. */
function accessorShape(record: { size?: unknown; shape?: unknown }, label: string): readonly number[] | null {
  const { size, shape } = record;
  if (shape !== undefined) {
    if (!Array.isArray(shape)) throw new LayerProtocolError(`${label}.shape is ${describeValue(shape)}; it must be a list of whole numbers such as [3, 4].`);
    if (size !== undefined && size !== product(shape as number[])) {
      throw new LayerProtocolError(`${label} declares size ${String(size)} and shape [${shape.join(', ')}], which disagree.`);
    }
    return shape as number[];
  }
  if (size !== undefined) {
    if (!(typeof size === 'number' && Number.isInteger(size) && size >= 0)) {
      throw new LayerProtocolError(`${label}.size is ${describeValue(size)}; it must be a whole number ≥ 0.`);
    }
    return [size];
  }
  return null;
}

/** A form-(a) record of any kind, as a declared parameter. */
function declaredFromRecord(layer: Layer, record: unknown, i: number): DeclaredParam {
  const label = `params[${i}]`;
  const named = (fallback: string): string => {
    const name = (record as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : fallback;
  };
  // A params getter may build fresh records that point at grads backward just allocated: re-read it.
  const latestRecord = (): Record<string, unknown> | null => {
    const current = readMember(layer, 'params');
    const latest = Array.isArray(current) ? current[i] : undefined;
    return isPlainObject(latest) ? latest : null;
  };
  const storage = isParamRecord(record) ? ({ kind: 'container', value: record.value, shape: record.shape } as const) : accessorSource(record, label);
  if (storage !== null) {
    const own = record as { grad?: unknown };
    return { rawName: named(label), source: storage, gradContainer: () => gradValue((latestRecord() ?? own).grad, layer), gradIsComputed: typeof own.grad === 'function' };
  }
  const property = record as PropertyParam;
  const owner = (property.of ?? layer) as Record<string, unknown>;
  if (typeof owner !== 'object' || owner === null) {
    throw new LayerProtocolError(`${label}.of is ${describeValue(owner)}; it must be the object that holds '${escapeText(property.property)}'.`);
  }
  if (typeof owner[property.property] !== 'number') {
    throw new LayerProtocolError(
      `${label} names property '${escapeText(property.property)}', which holds ${describeValue(owner[property.property])}, not a number. ` +
        'A property parameter is a scalar field such as layer.alpha; give arrays as { name, value, grad }.',
    );
  }
  const access: AccessorParam = {
    get: () => owner[property.property] as number,
    set: (value) => {
      owner[property.property] = value;
    },
  };
  const rawName = named(property.property);
  return {
    rawName,
    source: { kind: 'entries', access, shape: null },
    gradContainer: () => {
      const grad = (latestRecord() as PropertyParam | null)?.grad ?? property.grad;
      if (grad === undefined) return gradOf(layer, rawName);
      return typeof grad === 'string' ? owner[grad] : gradValue(grad, owner);
    },
    // Without a grad of its own, the gradient comes from the layer's grads, under the parameter's name.
    gradIsComputed: typeof property.grad === 'function' || (property.grad === undefined && typeof layer.grads === 'function'),
  };
}

/** A property parameter's gradient from the layer's grads record (`grads() { return { beta } }`), under its name. */
function gradOf(layer: Layer, name: string): unknown {
  const grads = readMember(layer, 'grads');
  if (grads === undefined || grads === null) return gradsMissing(escapeText(name));
  if (!isObjectRecord(grads)) {
    throw new LayerProtocolError(`parameter '${escapeText(name)}' has no grad of its own, so grads must be a record holding it, but grads is ${describeValue(grads)}.`);
  }
  return gradValue(grads[name], layer);
}

/** Storage behind entry or whole-array accessors, or null when the value has neither. */
function accessorSource(value: unknown, label: string): ValueSource | null {
  if (isAccessorParam(value)) return { kind: 'entries', access: value, shape: accessorShape(value, label) };
  if (isArrayAccessorParam(value)) return { kind: 'array', access: value, shape: accessorShape(value, label) };
  return null;
}

/** A value in form (b) or (c): storage, or an accessor record without a name. */
function sourceOfValue(value: unknown, label: string): ValueSource {
  const accessed = accessorSource(value, label);
  if (accessed !== null) return accessed;
  if (!isNumericContainer(value)) {
    throw new LayerProtocolError(`${label} is ${describeValue(value)}: neither a numeric array nor an accessor { get, set }. ${PARAM_FORMS}`);
  }
  return { kind: 'container', value };
}

/** Flattens what a whole-array `read()` returned: a flat ArrayLike, or any numeric container. */
function flatRead(access: ArrayAccessorParam, what: string): () => ArrayLike<number> {
  return () => {
    const values = access.read();
    if (isThenable(values)) {
      silenceRejection(values);
      throw new ContainerError(`${what}: read() returned a Promise; accessors must read synchronously.`);
    }
    if (values instanceof Float64Array || values instanceof Float32Array) return values;
    if (isNumericContainer(values)) return readAll(createView(values, `${what} (read())`));
    if (typeof values === 'object' && values !== null && typeof (values as ArrayLike<number>).length === 'number') return values as ArrayLike<number>;
    throw new ContainerError(`${what}: read() returned ${describeValue(values)}; it must return the entries (an array or typed array).`);
  };
}

/** The view through which the checker reads and perturbs a parameter. */
function viewOf(source: ValueSource, what: string): NumericView {
  if (source.kind === 'container') return createView(source.value, what, { declaredShape: source.shape, writable: true });
  if (source.kind === 'entries') {
    const { access } = source;
    // A scalar's accessors are called as get() and set(v); the declared signature is the indexed one.
    return entryAccessorView({ get: (i) => access.get(i as number), set: (a, b) => access.set(a, b as number) }, source.shape, what);
  }
  const { access } = source;
  return arrayAccessorView(flatRead(access, what), (values) => access.write(values), source.shape, what);
}

/**
 * Whether a form-(b)/(c) gradient is computed by a function: `grads` is a method or function, or
 * its entry is one. A getter or plain data is read as it is (a property read, not a computation).
 */
function computedGrad(layer: Layer, entryOf: (grads: unknown) => unknown): boolean {
  const grads = layer.grads;
  return typeof grads === 'function' || typeof entryOf(grads) === 'function';
}

function readMember(layer: Layer, key: 'params' | 'grads'): unknown {
  const member = layer[key];
  const value = typeof member === 'function' ? (member as () => unknown).call(layer) : member;
  if (isThenable(value)) {
    silenceRejection(value);
    throw new LayerProtocolError(`layer.${key}${typeof member === 'function' ? '()' : ''} returned a Promise; it must return the arrays themselves.`);
  }
  return value;
}

function gradsMissing(name: string): never {
  throw new LayerProtocolError(`The layer declares parameter '${name}' but has no grads to read its gradient from. ${PARAM_FORMS}`);
}

/** Longer names are cut: a report line must stay readable whatever the layer calls its tensors. */
const MAX_NAME_LENGTH = 80;

function displayName(raw: string): string {
  const escaped = escapeText(raw);
  return escaped.length > MAX_NAME_LENGTH ? `${escaped.slice(0, MAX_NAME_LENGTH - 1)}…` : escaped;
}

/** Names as reported: escaped, `W#2` for a repeated `W`. (A parameter called `input` beside an input is renamed when the input is known.) */
function uniqueNames(rawNames: string[]): string[] {
  const seen = new Map<string, number>();
  return rawNames.map((raw) => {
    const base = displayName(raw);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

interface DeclaredParam {
  rawName: string;
  source: ValueSource;
  gradContainer(): unknown;
  /** See ParamSlot.gradIsComputed. */
  gradIsComputed: boolean;
}

function declaredParams(layer: Layer, cache: ReturnType<typeof createEpochCache>): DeclaredParam[] {
  const params = readMember(layer, 'params');
  const readGrads = (): unknown => cache.memo('grads', () => readMember(layer, 'grads'));
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) {
    if (params.length > 0 && params.every(isAnyParamRecord)) {
      // Form (a): the grad lives on the record itself.
      return params.map((record, i) => declaredFromRecord(layer, record, i));
    }
    // Form (c): aligned lists.
    return params.map((value, i) => {
      const name = `params[${i}]`;
      if (isAnyParamRecord(value) && !isAccessorParam(value) && !isArrayAccessorParam(value)) {
        throw new LayerProtocolError(`params mixes records ({ value, grad } or { property }) with other entries; ${name} is ${describeValue(value)}. ${PARAM_FORMS}`);
      }
      return {
        rawName: name,
        source: sourceOfValue(value, name),
        gradIsComputed: computedGrad(layer, (grads) => (Array.isArray(grads) ? grads[i] : undefined)),
        gradContainer: () => {
          const grads = readGrads();
          if (grads === undefined || grads === null) return gradsMissing(name);
          if (!Array.isArray(grads)) {
            throw new LayerProtocolError(`params is a list, so grads must be a list aligned with it, but grads is ${describeValue(grads)}. ${PARAM_FORMS}`);
          }
          if (grads.length !== params.length) {
            throw new LayerProtocolError(`params lists ${params.length} tensors but grads lists ${grads.length}; they must be aligned one to one.`);
          }
          return gradValue(grads[i], layer);
        },
      };
    });
  }
  if (isTensorLike(params)) {
    throw new LayerProtocolError('params is a single tensor { data, shape }; name it instead, e.g. params: { W: tensor } with grads: { W: grad }.');
  }
  if (isObjectRecord(params)) {
    // Form (b): a record, with grads under the same keys.
    return Object.keys(params).map((key) => ({
      rawName: key,
      source: sourceOfValue(params[key], `params.${escapeText(key)}`),
      gradIsComputed: computedGrad(layer, (grads) => (isObjectRecord(grads) ? grads[key] : undefined)),
      gradContainer: () => {
        const grads = readGrads();
        if (grads === undefined || grads === null) return gradsMissing(escapeText(key));
        if (!isObjectRecord(grads)) {
          throw new LayerProtocolError(`params is a record, so grads must be a record with the same keys, but grads is ${describeValue(grads)}.`);
        }
        return gradValue(grads[key], layer);
      },
    }));
  }
  throw new LayerProtocolError(`params is ${describeValue(params)}, which is not a parameter form. ${PARAM_FORMS}`);
}

/** Detects the parameter form and returns one slot per parameter tensor (empty for none). */
export function normalizeParams(layer: Layer): ParamSlot[] {
  const cache = createEpochCache();
  const declared = declaredParams(layer, cache);
  const names = uniqueNames(declared.map((d) => d.rawName));
  const slots = declared.map((param, i) => ({
    name: names[i],
    value: viewOf(param.source, `parameter '${names[i]}'`),
    gradContainer: () => cache.memo(`slot ${i}`, param.gradContainer),
    refreshGrads: cache.clear,
    gradIsComputed: param.gradIsComputed,
  }));
  assertDistinctStorage(slots);
  return slots;
}

/**
 * Two parameters on one storage (the same array listed twice, overlapping subarrays of one buffer)
 * cannot be checked apart: perturbing one moves the other, so each finite difference would measure
 * the sum of both gradients. Disjoint views of one buffer are fine.
 */
function assertDistinctStorage(slots: ParamSlot[]): void {
  for (let i = 0; i < slots.length; i++) {
    for (let j = i + 1; j < slots.length; j++) {
      if (sharesStorage(slots[i].value, slots[j].value)) {
        throw new LayerProtocolError(
          `Parameters '${slots[i].name}' and '${slots[j].name}' share storage (the same array, or overlapping views of one buffer): ` +
            'a perturbation of one moves the other. List each array once, with its whole gradient (tied weights: one parameter, gradients summed).',
        );
      }
    }
  }
}

/** A parameter holding NaN or ±Infinity makes every output non-finite: say so, not that the input is wrong. */
export function assertFiniteParams(slots: ParamSlot[]): void {
  for (const slot of slots) {
    for (let i = 0; i < slot.value.size; i++) {
      const value = slot.value.get(i);
      if (!Number.isFinite(value)) {
        throw new LayerProtocolError(
          `parameter '${slot.name}' holds ${value} at [${slot.value.position(i).join(',')}]; gradients cannot be checked at non-finite parameters. ` +
            'Initialize it (or check it before the value went non-finite).',
        );
      }
    }
  }
}

/**
 * Checks that params (a method, a getter or plain data) hands out the layer's own storage: the
 * checker perturbs values in place, which only reaches the layer if the arrays are not fresh copies.
 */
export function assertParamsAreLive(layer: Layer, slots: ParamSlot[]): void {
  if (slots.length === 0) return;
  const again = normalizeParams(layer);
  slots.forEach((slot, i) => {
    const probeIndex = 0;
    if (slot.value.size === 0 || again[i] === undefined) return;
    const saved = slot.value.get(probeIndex);
    // A value next to the entry's own, as a perturbation would be: storage that bounds its values (a
    // clamp to [−1, 1]) must not be refused for a marker it would never see in a check.
    const marker = slot.value.stored(saved === 0 ? 2 ** -20 : saved * (1 + 2 ** -20));
    slot.value.set(probeIndex, marker);
    const seen = again[i].value.get(probeIndex);
    slot.value.set(probeIndex, saved);
    if (seen !== marker) {
      throw new LayerProtocolError(
        `params returned a copy of '${slot.name}': a change to it did not reach the layer. ` +
          'Return the arrays the layer computes with, so perturbations made by the checker are seen by forward().',
      );
    }
  });
}
