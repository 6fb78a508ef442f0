import type { Dtype } from '../engine/dtype.js';
import { describeValue, escapeText } from '../layer/describe-value.js';
import type { CheckProgress } from './sweep/progress.js';
import type { ShardSpec } from './sweep/modes/shard.js';
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
  /**
   * `'auto'` (default): exhaustive where its estimated calls fit `maxEvaluations`, else projection
   * with localization (planned from counts only, so the same on every machine); `'exhaustive'`: every
   * entry one by one; `'projection'`: projection with localization in fixed blocks (plus `sample`
   * entries if given). In every mode a passing entry is checked relative to its own gradient.
   */
  mode?: 'auto' | 'exhaustive' | 'projection';
  /** Measure a seeded random subset of each tensor one by one: a whole number of entries, or a fraction in (0, 1). */
  sample?: number;
  /** Check only the k-th of n disjoint parts of the entries (1-based, like `--shard=k/n`); the n parts together make the full check. */
  shard?: readonly [number, number];
  /**
   * Calls into the layer (forward and backward) the check may make, in every mode: mode 'auto'
   * plans within it, and no call is made past it. Default 10,000 for mode 'auto', unlimited for an
   * explicit mode or `sample`.
   */
  maxEvaluations?: number;
  /**
   * A guard, not a plan: no call into the layer is made after this many seconds, and the verdict is
   * then `inconclusive` (or `fail`, for what was found wrong before). Default 30.
   */
  maxSeconds?: number;
  /** An async forward or backward still pending after this many seconds is abandoned and the layer restored. Default 2. */
  maxCallSeconds?: number;
  /** Called during long checks (at most 4 times a second) with the phase and counts. */
  onProgress?: (progress: CheckProgress) => void;
  /**
   * The layer's gradient convention: its backward produces `gradientFactor` × the true gradient
   * (e.g. `1 / batchSize` for a library that averages parameter gradients over the batch). A number
   * applies to every parameter (not to inputs); a record applies per tensor, by the names the report
   * uses (`{ W: 0.25, b: 0.25 }`, or `input` for the input). Backward's values are divided by it
   * before the comparison, and the report names it.
   */
  gradientFactor?: number | Readonly<Record<string, number>>;
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
  mode: 'auto' | 'exhaustive' | 'projection';
  sample: number | null;
  shard: ShardSpec | null;
  maxEvaluations: number;
  maxSeconds: number;
  maxCallSeconds: number;
  onProgress: ((progress: CheckProgress) => void) | undefined;
  gradientFactor: number | Readonly<Record<string, number>> | null;
}

/** Mode 'auto' plans within this many calls: a budget in calls, not seconds, so the plan is the same on every machine. */
export const DEFAULT_MAX_EVALUATIONS = 10_000;
export const DEFAULT_MAX_SECONDS = 30;
export const DEFAULT_MAX_CALL_SECONDS = 2;

export class OptionsError extends TypeError {}

const KNOWN_KEYS = [
  'epsilon',
  'tolerance',
  'input',
  'seed',
  'dtype',
  'richardson',
  'checkInput',
  'allowInconclusive',
  'mode',
  'sample',
  'shard',
  'maxEvaluations',
  'maxSeconds',
  'maxCallSeconds',
  'onProgress',
  'gradientFactor',
];

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
  const { mode = 'auto', sample, shard, onProgress } = given;
  if (mode !== 'auto' && mode !== 'exhaustive' && mode !== 'projection') {
    throw new OptionsError(`mode must be 'auto', 'exhaustive' or 'projection', but got ${show(mode)}.`);
  }
  if (sample !== undefined && !(typeof sample === 'number' && sample > 0 && (sample < 1 || Number.isInteger(sample)))) {
    throw new OptionsError(`sample must be a whole number of entries ≥ 1 or a fraction in (0, 1), but got ${show(sample)}.`);
  }
  // An explicit mode says what to measure; only 'auto' has a plan to fit into a default budget.
  const budget = validateBudget(given, mode === 'auto' && sample === undefined);
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new OptionsError(`onProgress must be a function, but got ${show(onProgress)}.`);
  }
  const gradientFactor = validateGradientFactor(given.gradientFactor);
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
    mode,
    sample: sample === undefined ? null : (sample as number),
    shard: validateShard(shard),
    ...budget,
    onProgress: onProgress as ((progress: CheckProgress) => void) | undefined,
    gradientFactor,
  };
}

/** The budget options, with their defaults: `planned` when mode 'auto' plans (no explicit mode or sample). */
function validateBudget(given: Record<string, unknown>, planned: boolean): Pick<ValidatedOptions, 'maxEvaluations' | 'maxSeconds' | 'maxCallSeconds'> {
  const { maxEvaluations = planned ? DEFAULT_MAX_EVALUATIONS : Infinity, maxSeconds = DEFAULT_MAX_SECONDS, maxCallSeconds = DEFAULT_MAX_CALL_SECONDS } = given;
  if (!(typeof maxEvaluations === 'number' && maxEvaluations > 0 && (Number.isInteger(maxEvaluations) || maxEvaluations === Infinity))) {
    throw new OptionsError(`maxEvaluations must be a whole number > 0 (or Infinity), but got ${show(maxEvaluations)}.`);
  }
  for (const [name, value] of [
    ['maxSeconds', maxSeconds],
    ['maxCallSeconds', maxCallSeconds],
  ] as const) {
    if (!(typeof value === 'number' && value > 0 && !Number.isNaN(value))) throw new OptionsError(`${name} must be a number > 0 (or Infinity), but got ${show(value)}.`);
  }
  return { maxEvaluations: maxEvaluations as number, maxSeconds: maxSeconds as number, maxCallSeconds: maxCallSeconds as number };
}

function validateShard(shard: unknown): ShardSpec | null {
  if (shard === undefined) return null;
  const valid =
    Array.isArray(shard) &&
    shard.length === 2 &&
    shard.every((n) => Number.isInteger(n)) &&
    (shard[1] as number) >= 1 &&
    (shard[0] as number) >= 1 &&
    (shard[0] as number) <= (shard[1] as number);
  if (!valid) {
    throw new OptionsError(`shard must be [k, n] with 1 ≤ k ≤ n (the k-th of n parts, like --shard=k/n), but got ${show(shard)}.`);
  }
  return { index: shard[0] as number, count: shard[1] as number };
}

const isFactor = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value !== 0;

function validateGradientFactor(factor: unknown): number | Readonly<Record<string, number>> | null {
  if (factor === undefined) return null;
  if (isFactor(factor)) return factor;
  if (typeof factor === 'object' && factor !== null && !Array.isArray(factor)) {
    const entries = Object.entries(factor);
    const bad = entries.find(([, value]) => !isFactor(value));
    if (bad === undefined && entries.length > 0) return { ...(factor as Record<string, number>) };
    if (bad !== undefined) {
      throw new OptionsError(`gradientFactor.${escapeText(bad[0])} must be a finite number other than 0, but got ${show(bad[1])}.`);
    }
  }
  throw new OptionsError(
    `gradientFactor must be a finite number other than 0 (every parameter), or a record of them by tensor name ({ W: 0.25 }), but got ${show(factor)}. ` +
      'It states that backward produces that multiple of the true gradient, e.g. 1 / batchSize for a library that averages over the batch.',
  );
}
