import { DEFAULT_MAX_EVALUATIONS, DEFAULT_SEED, OptionsError, validateOptions, type GradientCheckOptions } from '../check/options.js';
import { describeValue } from '../layer/describe-value.js';
import type { AcrossOptions, FastCheckModule } from './across-types.js';

/** The whole search's default budget in calls: a few seconds for small layers, the same plan on every machine. */
export const DEFAULT_SEARCH_EVALUATIONS = 200_000;
export const DEFAULT_SEARCH_SECONDS = 30;
export const DEFAULT_RUNS = 100;

export interface SearchSettings {
  seed: number;
  maxEvaluations: number;
  maxSeconds: number;
  runs: number;
  fastCheck: FastCheckModule | undefined;
  /** What every configuration's check is given (its own budget comes from what the search has left). */
  check: GradientCheckOptions;
  /** The per-check call budget where the search has more left: a check's own default. */
  perCheckEvaluations: number;
}

const SEARCH_KEYS = ['maxEvaluations', 'maxSeconds', 'runs', 'fastCheck'] as const;

function positive(name: string, value: unknown, fallback: number, whole: boolean): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && value > 0 && (whole ? Number.isInteger(value) || value === Infinity : !Number.isNaN(value));
  if (!ok) throw new OptionsError(`${name} must be ${whole ? 'a whole number' : 'a number'} > 0, but got ${describeValue(value)}.`);
  return value as number;
}

/** Splits the search's own options from the checks' and validates both (a mistake shows before any check runs). */
export function searchSettings(options: AcrossOptions | undefined): SearchSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new OptionsError(`options must be an object such as { maxEvaluations: 20000, tolerance: 1e-6 }, but got ${describeValue(options)}.`);
  }
  const given: Record<string, unknown> = { ...(options ?? {}) };
  if (given.input !== undefined) {
    throw new OptionsError('input cannot be given to a search: each configuration has its own. Return it from build: (config) => ({ layer, input }).');
  }
  const check: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) if (!(SEARCH_KEYS as readonly string[]).includes(key)) check[key] = value;
  const validated = validateOptions(check);
  const fastCheck = given.fastCheck;
  if (fastCheck !== undefined && (typeof fastCheck !== 'object' || fastCheck === null || typeof (fastCheck as FastCheckModule).check !== 'function')) {
    throw new OptionsError(`fastCheck must be the fast-check module (import * as fc from 'fast-check'), but got ${describeValue(fastCheck)}.`);
  }
  const explicitMode = validated.mode !== 'auto' || validated.sample !== null;
  return {
    seed: (check.seed as number | undefined) ?? DEFAULT_SEED,
    maxEvaluations: positive('maxEvaluations', given.maxEvaluations, DEFAULT_SEARCH_EVALUATIONS, true),
    maxSeconds: positive('maxSeconds', given.maxSeconds, DEFAULT_SEARCH_SECONDS, false),
    runs: positive('runs', given.runs, DEFAULT_RUNS, true),
    fastCheck: fastCheck as FastCheckModule | undefined,
    check: check as GradientCheckOptions,
    perCheckEvaluations: explicitMode ? Infinity : DEFAULT_MAX_EVALUATIONS,
  };
}
