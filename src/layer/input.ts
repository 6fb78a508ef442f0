import type { Rng } from '../engine/rng.js';
import type { Layer } from './protocol.js';
import { LayerProtocolError } from './params.js';
import { deepCopy } from './container-copy.js';
import { describeValue } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';

/** Thrown for an input the gradients cannot be checked at (NaN in it, a non-finite output there); the message names the input. */
export class InputError extends TypeError {}

/** The input the check runs on and where it came from (for messages that name it). */
export interface ResolvedInput {
  /** The check's private deep copy: the checker perturbs it in place and must never touch the caller's value. */
  value: unknown;
  /** `the input option`, `layer.sampleInput()` or `a seeded random input of layer.inputShape [2, 3]`. */
  source: string;
}

/**
 * Order: the `input` option, `layer.sampleInput()`, a seeded random input of `layer.inputShape`
 * (nested arrays for 2-D and more), else an error that says how to give one.
 */
export function resolveInput(layer: Layer, given: { hasInput: boolean; input: unknown }, rng: Rng, float32: boolean): ResolvedInput {
  if (given.hasInput) return { value: deepCopy(given.input), source: 'the input option' };
  if (typeof layer.sampleInput === 'function') {
    const sample = layer.sampleInput();
    if (isThenable(sample)) {
      silenceRejection(sample);
      throw new LayerProtocolError('layer.sampleInput() returned a Promise; it must return the input itself. Pass an awaited input with { input }.');
    }
    if (sample === undefined || sample === null) {
      throw new LayerProtocolError(`layer.sampleInput() returned ${describeValue(sample)}; it must return an input for forward().`);
    }
    return { value: deepCopy(sample), source: 'layer.sampleInput()' };
  }
  if (layer.inputShape !== undefined) {
    const shape = layer.inputShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new LayerProtocolError(`layer.inputShape must be a non-empty list of positive integers, e.g. [2, 3], but got ${describeValue(shape)}.`);
    }
    return { value: randomNested(shape, 0, rng, float32), source: `a seeded random input of layer.inputShape [${shape.join(', ')}]` };
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
