import { escapeText } from '../../layer/describe-value.js';
import type { InputsAccess } from '../../layer/gradients.js';
import type { ParamSlot } from '../../layer/params.js';
import { OptionsError, type ValidatedOptions } from '../options.js';

/** Backward's values divided by the declared factor: the true gradient, if the convention holds. */
export function undeclared(values: Float64Array, factor: number): Float64Array;
export function undeclared(values: Float64Array | null, factor: number): Float64Array | null;
export function undeclared(values: Float64Array | null, factor: number): Float64Array | null {
  if (values === null || factor === 1) return values;
  return values.map((v) => v / factor);
}

/** The declared gradient factor per tensor name; a record must name tensors the layer has. */
export function declaredFactors(declared: ValidatedOptions['gradientFactor'], slots: readonly ParamSlot[], access: InputsAccess): Map<string, number> {
  const factors = new Map<string, number>();
  if (declared === null) return factors;
  if (typeof declared === 'number') {
    for (const slot of slots) factors.set(slot.name, declared);
    return factors;
  }
  const known = [...slots.map((slot) => slot.name), ...access.inputs.map((input) => input.name)];
  for (const [name, factor] of Object.entries(declared)) {
    if (!known.includes(name)) {
      throw new OptionsError(`gradientFactor names '${escapeText(name)}', which is not a tensor of this layer. Its tensors: ${known.join(', ')}.`);
    }
    factors.set(name, factor);
  }
  return factors;
}
