import type { Rng } from '../engine/rng.js';
import type { Layer } from './protocol.js';
import { INPUT_NAME, LayerProtocolError } from './params.js';
import { isMultipleInputs } from './multiple-inputs.js';
import { deepCopy } from './container-copy.js';
import { describeValue } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';

/** Thrown for an input the gradients cannot be checked at (NaN in it, a non-finite output there); the message names the input. */
export class InputError extends TypeError {}

/** The inputs the check runs on and where they came from (for messages that name them). */
export interface ResolvedInput {
  /**
   * The check's private deep copies, one per argument of forward: none for a layer without input,
   * one for a single input, several for `inputs(a, b, …)`. The checker perturbs them in place and
   * never touches the caller's values.
   */
  values: unknown[];
  /** The reported name of each input: `input`; `input[0]`, `input[1]`…; or the names of `namedInputs`. */
  names: string[];
  /** Given as `inputs(…)` / `namedInputs(…)`: backward returns one gradient per input. */
  multiple: boolean;
  /** `the input option`, `layer.sampleInput()`, `a seeded random input of layer.inputShape [2, 3]` or `no input`. */
  source: string;
}

/** One input, or the inputs of the explicit multi-input marker, as the check's own copies. */
function resolvedFrom(value: unknown, source: string): ResolvedInput {
  if (isMultipleInputs(value)) {
    if (value.values.length === 0) {
      throw new LayerProtocolError(`${source} gave inputs() with no values; pass at least one, or omit the input for a layer whose forward takes none.`);
    }
    const names = value.names ?? value.values.map((_, i) => `${INPUT_NAME}[${i}]`);
    return { values: value.values.map((v) => deepCopy(v)), names: [...names], multiple: true, source };
  }
  return { values: [deepCopy(value)], names: [INPUT_NAME], multiple: false, source };
}

/**
 * Order: the `input` option, `layer.sampleInput()`, a seeded random input of `layer.inputShape`
 * (nested arrays for 2-D and more); else no input at all when forward takes none (or the input
 * gradient is not checked), else an error that says how to give one.
 */
export function resolveInput(
  layer: Layer,
  given: { hasInput: boolean; input: unknown; checkInput: boolean },
  rng: Rng,
  float32: boolean,
): ResolvedInput {
  if (given.hasInput) return resolvedFrom(given.input, 'the input option');
  if (typeof layer.sampleInput === 'function') {
    const sample = layer.sampleInput();
    if (isThenable(sample)) {
      silenceRejection(sample);
      throw new LayerProtocolError('layer.sampleInput() returned a Promise; it must return the input itself. Pass an awaited input with { input }.');
    }
    if (sample === undefined || sample === null) {
      throw new LayerProtocolError(`layer.sampleInput() returned ${describeValue(sample)}; it must return an input for forward().`);
    }
    return resolvedFrom(sample, 'layer.sampleInput()');
  }
  if (layer.inputShape !== undefined) {
    const shape = layer.inputShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new LayerProtocolError(`layer.inputShape must be a non-empty list of positive integers, e.g. [2, 3], but got ${describeValue(shape)}.`);
    }
    return resolvedFrom(randomNested(shape, 0, rng, float32), `a seeded random input of layer.inputShape [${shape.join(', ')}]`);
  }
  // A loss of the parameters alone (a regularizer, a layer holding its own data): forward() with no argument.
  if (layer.forward.length === 0 || !given.checkInput) return { values: [], names: [], multiple: false, source: 'no input' };
  throw new LayerProtocolError(
    'The layer has no input to check with. Pass one with toHaveCorrectGradients({ input }), ' +
      'give the layer a sampleInput() method, or declare layer.inputShape (e.g. [2, 3]) for a seeded random input. ' +
      'For a loss of the parameters alone, declare forward() without arguments or pass checkInput: false.',
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
