import type { Rng } from '../engine/rng.js';
import type { Layer } from './protocol.js';
import { LayerProtocolError } from './params.js';
import { cloneContainer } from './numeric-view.js';

/**
 * The input the check runs on, as a private copy: the checker perturbs it in place and must never
 * touch the caller's array. Order: the `input` option, `layer.sampleInput()`, a seeded random
 * input of `layer.inputShape` (nested arrays for 2-D and more), else an error that says how to give one.
 */
export function resolveInput(layer: Layer, given: { hasInput: boolean; input: unknown }, rng: Rng, float32: boolean): unknown {
  if (given.hasInput) return cloneContainer(given.input);
  if (typeof layer.sampleInput === 'function') return cloneContainer(layer.sampleInput());
  if (layer.inputShape !== undefined) {
    const shape = layer.inputShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new LayerProtocolError(`layer.inputShape must be a non-empty list of positive integers, e.g. [2, 3], but got ${JSON.stringify(shape)}.`);
    }
    return randomNested(shape, 0, rng, float32);
  }
  throw new LayerProtocolError(
    'The layer has no input to check with. Pass one with toHaveCorrectGradients({ input }), ' +
      'give the layer a sampleInput() method, or declare layer.inputShape (e.g. [2, 3]) for a seeded random input.',
  );
}

function randomNested(shape: readonly number[], axis: number, rng: Rng, float32: boolean): unknown {
  const length = shape[axis];
  if (axis === shape.length - 1) {
    const row = float32 ? new Float32Array(length) : new Array<number>(length);
    for (let i = 0; i < length; i++) row[i] = rng.normal();
    return row;
  }
  return Array.from({ length }, () => randomNested(shape, axis + 1, rng, float32));
}
