import type { Layer, ParamRecord } from './protocol.js';
import { createView, isNumericContainer, isTensorLike, sharesStorage, type NumericView } from './numeric-view.js';
import { describeValue, escapeText } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';

/** One parameter tensor of a layer, whatever form the layer declared it in. */
export interface ParamSlot {
  /** Unique among the layer's tensors, control characters escaped. */
  name: string;
  value: NumericView;
  /** Re-reads the gradient container from the layer: backward may have replaced it. */
  gradContainer(): unknown;
}

/** Thrown for a layer that does not follow the protocol; the message says how to fix it. */
export class LayerProtocolError extends TypeError {}

/** The name the input tensor is reported under; a parameter of that name is renamed. */
export const INPUT_NAME = 'input';

const PARAM_FORMS =
  'Declare parameters as (a) params: [{ name, value, grad }], (b) params: { W, b } with grads: { W, b }, ' +
  '(c) params: [W, b] with grads: [dW, db], or (d) any of these returned by params() / grads().';

const isRecordForm = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

const isParamRecord = (value: unknown): value is ParamRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && 'value' in value;

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

/** Names as reported: escaped, `W#2` for a repeated `W`, `params.input` for a parameter called `input`. */
function uniqueNames(rawNames: string[]): string[] {
  const seen = new Map<string, number>();
  return rawNames.map((raw) => {
    const base = displayName(raw) === INPUT_NAME ? `params.${INPUT_NAME}` : displayName(raw);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

interface DeclaredParam {
  rawName: string;
  value: unknown;
  shape?: readonly number[];
  gradContainer(): unknown;
}

function declaredParams(layer: Layer): DeclaredParam[] {
  const params = readMember(layer, 'params');
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) {
    if (params.length > 0 && params.every(isParamRecord)) {
      // Form (a): the grad lives on the record itself.
      return params.map((record, i) => ({
        rawName: typeof record.name === 'string' && record.name !== '' ? record.name : `params[${i}]`,
        value: record.value,
        shape: record.shape,
        // A params getter may build fresh records that point at grads backward just allocated.
        gradContainer: () => {
          const current = readMember(layer, 'params');
          const latest = Array.isArray(current) ? current[i] : undefined;
          return isParamRecord(latest) ? latest.grad : record.grad;
        },
      }));
    }
    // Form (c): aligned lists.
    return params.map((value, i) => {
      const name = `params[${i}]`;
      if (!isNumericContainer(value)) {
        throw new LayerProtocolError(`params[${i}] is ${describeValue(value)}: neither a { value, grad } record nor a numeric array. ${PARAM_FORMS}`);
      }
      return {
        rawName: name,
        value,
        gradContainer: () => {
          const grads = readMember(layer, 'grads');
          if (grads === undefined || grads === null) return gradsMissing(name);
          if (!Array.isArray(grads)) {
            throw new LayerProtocolError(`params is a list, so grads must be a list aligned with it, but grads is ${describeValue(grads)}. ${PARAM_FORMS}`);
          }
          if (grads.length !== params.length) {
            throw new LayerProtocolError(`params lists ${params.length} tensors but grads lists ${grads.length}; they must be aligned one to one.`);
          }
          return grads[i];
        },
      };
    });
  }
  if (isTensorLike(params)) {
    throw new LayerProtocolError('params is a single tensor { data, shape }; name it instead, e.g. params: { W: tensor } with grads: { W: grad }.');
  }
  if (isRecordForm(params)) {
    // Form (b): a record, with grads under the same keys.
    return Object.keys(params).map((key) => {
      if (!isNumericContainer(params[key])) {
        throw new LayerProtocolError(`params.${escapeText(key)} is ${describeValue(params[key])}, not a numeric array. ${PARAM_FORMS}`);
      }
      return {
        rawName: key,
        value: params[key],
        gradContainer: () => {
          const grads = readMember(layer, 'grads');
          if (grads === undefined || grads === null) return gradsMissing(escapeText(key));
          if (!isRecordForm(grads)) {
            throw new LayerProtocolError(`params is a record, so grads must be a record with the same keys, but grads is ${describeValue(grads)}.`);
          }
          return grads[key];
        },
      };
    });
  }
  throw new LayerProtocolError(`params is ${describeValue(params)}, which is not a parameter form. ${PARAM_FORMS}`);
}

/** Detects the parameter form and returns one slot per parameter tensor (empty for none). */
export function normalizeParams(layer: Layer): ParamSlot[] {
  const declared = declaredParams(layer);
  const names = uniqueNames(declared.map((d) => d.rawName));
  const slots = declared.map((param, i) => ({
    name: names[i],
    value: createView(param.value, `parameter '${names[i]}'`, { declaredShape: param.shape, writable: true }),
    gradContainer: param.gradContainer,
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
    const marker = saved === 1 ? 2 : 1;
    slot.value.set(probeIndex, marker);
    const seen = again[i].value.get(probeIndex);
    slot.value.set(probeIndex, saved);
    if (seen !== slot.value.stored(marker)) {
      throw new LayerProtocolError(
        `params returned a copy of '${slot.name}': a change to it did not reach the layer. ` +
          'Return the arrays the layer computes with, so perturbations made by the checker are seen by forward().',
      );
    }
  });
}
