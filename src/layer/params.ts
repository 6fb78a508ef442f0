import type { Layer, ParamRecord } from './protocol.js';
import { createView, isNumericContainer, isTensorLike, type NumericView } from './numeric-view.js';

/** One parameter tensor of a layer, whatever form the layer declared it in. */
export interface ParamSlot {
  name: string;
  value: NumericView;
  /** Re-reads the gradient container from the layer: backward may have replaced it. */
  gradContainer(): unknown;
}

/** Thrown for a layer that does not follow the protocol; the message says how to fix it. */
export class LayerProtocolError extends TypeError {}

const PARAM_FORMS =
  'Declare parameters as (a) params: [{ name, value, grad }], (b) params: { W, b } with grads: { W, b }, ' +
  '(c) params: [W, b] with grads: [dW, db], or (d) any of these returned by params() / grads().';

const isRecordForm = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

const isParamRecord = (value: unknown): value is ParamRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'value' in value;

function readParams(layer: Layer): unknown {
  const { params } = layer;
  return typeof params === 'function' ? (params as () => unknown).call(layer) : params;
}

function readGrads(layer: Layer): unknown {
  const { grads } = layer;
  return typeof grads === 'function' ? (grads as () => unknown).call(layer) : grads;
}

function gradsMissing(name: string): never {
  throw new LayerProtocolError(
    `The layer declares parameter '${name}' but has no grads to read its gradient from. ${PARAM_FORMS}`,
  );
}

/** Detects the parameter form and returns one slot per parameter tensor (empty for none). */
export function normalizeParams(layer: Layer): ParamSlot[] {
  const params = readParams(layer);
  if (params === undefined || params === null) return [];

  if (Array.isArray(params)) {
    if (params.length === 0) return [];
    if (params.every(isParamRecord)) {
      // Form (a): the grad lives on the record itself.
      return params.map((record, i) => {
        const name = typeof record.name === 'string' && record.name !== '' ? record.name : `params[${i}]`;
        return {
          name,
          value: createView(record.value, `parameter '${name}'`, record.shape),
          // A params getter may build fresh records that point at grads backward just allocated.
          gradContainer: () => {
            const current = readParams(layer);
            const latest = Array.isArray(current) ? current[i] : undefined;
            return isParamRecord(latest) ? latest.grad : record.grad;
          },
        };
      });
    }
    // Form (c): aligned lists.
    return params.map((value, i) => {
      const name = `params[${i}]`;
      if (!isNumericContainer(value)) {
        throw new LayerProtocolError(
          `params[${i}] is neither a { value, grad } record nor a numeric array. ${PARAM_FORMS}`,
        );
      }
      return {
        name,
        value: createView(value, `parameter '${name}'`),
        gradContainer: () => {
          const grads = readGrads(layer);
          if (grads === undefined || grads === null) return gradsMissing(name);
          if (!Array.isArray(grads)) {
            throw new LayerProtocolError(
              `params is a list, so grads must be a list aligned with it, but grads is ${typeof grads}. ${PARAM_FORMS}`,
            );
          }
          if (grads.length !== params.length) {
            throw new LayerProtocolError(
              `params lists ${params.length} tensors but grads lists ${grads.length}; they must be aligned one to one.`,
            );
          }
          return grads[i];
        },
      };
    });
  }

  if (isTensorLike(params)) {
    throw new LayerProtocolError(
      `params is a single tensor { data, shape }; name it instead, e.g. params: { W: tensor } with grads: { W: grad }.`,
    );
  }
  if (isRecordForm(params)) {
    // Form (b): a record, with grads under the same keys.
    return Object.keys(params).map((name) => {
      if (!isNumericContainer(params[name])) {
        throw new LayerProtocolError(`params.${name} is not a numeric array (it is ${typeof params[name]}). ${PARAM_FORMS}`);
      }
      return {
        name,
        value: createView(params[name], `parameter '${name}'`),
        gradContainer: () => {
          const grads = readGrads(layer);
          if (grads === undefined || grads === null) return gradsMissing(name);
          if (!isRecordForm(grads)) {
            throw new LayerProtocolError(
              `params is a record, so grads must be a record with the same keys, but grads is ${Array.isArray(grads) ? 'a list' : typeof grads}.`,
            );
          }
          return grads[name];
        },
      };
    });
  }
  throw new LayerProtocolError(`params is ${typeof params}, which is not a parameter form. ${PARAM_FORMS}`);
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
