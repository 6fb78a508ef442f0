import type { Dtype } from '../engine/dtype.js';
import { describeValue, escapeText } from '../layer/describe-value.js';
import { isThenable, silenceRejection } from '../layer/promise.js';

/** Options of `checkGradients` and `toHaveCorrectGradients(options)`. */
export interface GradientCheckOptions {
  /**
   * Finite-difference step. `'auto'` (default) picks, per entry, cbrt(machine ε)·max(1, |θ|) for the
   * layer's dtype; a number is used as the absolute step h for every entry (the second step is h/2).
   */
  epsilon?: number | 'auto';
  /**
   * Relative tolerance per entry, added to the finite difference's own error estimate:
   * an entry passes when |analytic − numeric| ≤ tolerance·max(|analytic|, |numeric|) + errorEstimate.
   * Default 1e-6 for float64 layers and 1e-2 for float32 layers.
   */
  tolerance?: number;
  /** Input to forward. Default: `layer.sampleInput()`, else a seeded random input of `layer.inputShape`. */
  input?: unknown;
  /** Seed of the random projection and of generated inputs. Default 42. */
  seed?: number;
  /** Precision the layer computes in. Default `'auto'`: float32 when any value, input or output is a Float32Array. */
  dtype?: 'auto' | Dtype;
  /** Use Richardson extrapolation of the two step sizes (4th-order accurate). Default true. */
  richardson?: boolean;
  /** Also check the input gradient returned by backward. Default true. */
  checkInput?: boolean;
  /**
   * Accept significant gradient entries the finite differences could not resolve (the verdict is
   * then `pass` with the entries listed) instead of reporting the check as inconclusive. Default false.
   */
  allowInconclusive?: boolean;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_TOLERANCE: Record<Dtype, number> = { float64: 1e-6, float32: 1e-2 };

/** Options after validation, before the dtype (and so the tolerance) is known. */
export interface ValidatedOptions {
  epsilon: number | 'auto';
  tolerance: number | undefined;
  input: unknown;
  hasInput: boolean;
  seed: number;
  dtype: 'auto' | Dtype;
  richardson: boolean;
  checkInput: boolean;
  allowInconclusive: boolean;
}

export class OptionsError extends TypeError {}

const KNOWN_KEYS = ['epsilon', 'tolerance', 'input', 'seed', 'dtype', 'richardson', 'checkInput', 'allowInconclusive'];

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return describeValue(value);
}

export function validateOptions(options: unknown): ValidatedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionsError(`options must be an object such as { epsilon: 'auto', tolerance: 1e-6 }, but got ${show(options)}.`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN_KEYS.includes(key)) {
      throw new OptionsError(`Unknown option '${escapeText(key)}'. Known options: ${KNOWN_KEYS.join(', ')}.`);
    }
  }
  const { epsilon = 'auto', tolerance, seed = DEFAULT_SEED, dtype = 'auto', richardson = true, checkInput = true, allowInconclusive = false } = given;
  if (epsilon !== 'auto' && !(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon > 0)) {
    throw new OptionsError(`epsilon must be 'auto' or a finite number > 0, but got ${show(epsilon)}. Omit it to let the step be chosen per entry.`);
  }
  if (tolerance !== undefined && !(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new OptionsError(`tolerance must be a finite number ≥ 0, but got ${show(tolerance)}. Default: 1e-6 (float64), 1e-2 (float32).`);
  }
  if (!(typeof seed === 'number' && Number.isInteger(seed))) {
    throw new OptionsError(`seed must be an integer, but got ${show(seed)}.`);
  }
  if (dtype !== 'auto' && dtype !== 'float64' && dtype !== 'float32') {
    throw new OptionsError(`dtype must be 'auto', 'float64' or 'float32', but got ${show(dtype)}.`);
  }
  if (typeof richardson !== 'boolean') throw new OptionsError(`richardson must be true or false, but got ${show(richardson)}.`);
  if (typeof checkInput !== 'boolean') throw new OptionsError(`checkInput must be true or false, but got ${show(checkInput)}.`);
  if (typeof allowInconclusive !== 'boolean') throw new OptionsError(`allowInconclusive must be true or false, but got ${show(allowInconclusive)}.`);
  if (given.input === null) {
    throw new OptionsError('input is null; it must be the value forward() is called with. Omit it to use layer.sampleInput() or layer.inputShape.');
  }
  if (isThenable(given.input)) {
    silenceRejection(given.input);
    throw new OptionsError('input is a Promise; await it first and pass the value: toHaveCorrectGradients({ input: await promise }).');
  }
  return {
    epsilon: epsilon as number | 'auto',
    tolerance: tolerance as number | undefined,
    input: given.input,
    hasInput: given.input !== undefined,
    seed: seed as number,
    dtype: dtype as 'auto' | Dtype,
    richardson,
    checkInput,
    allowInconclusive,
  };
}
