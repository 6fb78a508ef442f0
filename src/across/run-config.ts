import { AsyncLayerError, LayerStateError, runGradientCheck } from '../check/check-gradients.js';
import { OptionsError } from '../check/options.js';
import { LayerProtocolError } from '../layer/params.js';
import { ContainerError } from '../layer/view-core.js';
import type { Clock } from '../check/clock.js';
import { isThenable } from '../layer/promise.js';
import type { GradientReport } from '../check/report-types.js';
import type { AcrossStop, Config, TriedConfig } from './across-types.js';
import { describeConfig } from './config-text.js';
import type { SearchSettings } from './search-settings.js';

/** What checking one configuration came to. `budget`: the search had no calls or time left for it. */
export type ConfigOutcome =
  | { kind: 'checked'; report: GradientReport }
  | { kind: 'threw'; message: string }
  | { kind: 'skipped' }
  | { kind: 'budget' };

/** The search as it goes: settings, what was spent, and every configuration's outcome by key. */
export interface SearchRun {
  build: (config: Config) => unknown;
  settings: SearchSettings;
  clock: Clock;
  started: number;
  evaluations: number;
  tried: TriedConfig[];
  stop: AcrossStop;
  outcomes: Map<string, ConfigOutcome>;
}

export function startRun(build: (config: Config) => unknown, settings: SearchSettings, clock: Clock): SearchRun {
  return { build, settings, clock, started: clock(), evaluations: 0, tried: [], stop: null, outcomes: new Map() };
}

/** Errors that say the test is written wrong (not that the layer is wrong at this configuration): they end the search. */
export class AcrossUsageError extends TypeError {}

/**
 * The package's usage errors say the test is written wrong everywhere; everything else (a layer's
 * own TypeError, an input it cannot take, NaN at batch size 1) is a finding at this configuration.
 */
const isUsageError = (error: unknown): boolean =>
  error instanceof OptionsError || error instanceof LayerProtocolError || error instanceof ContainerError || error instanceof LayerStateError || error instanceof AsyncLayerError;

const messageOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

let uncachedConfigs = 0;

/** The configuration's key in the outcome cache: its JSON; a value JSON cannot hold gets a key of its own (never cached). */
export function configKey(config: Config): string {
  try {
    const text = JSON.stringify(config, (_key, value: unknown) => {
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new TypeError('not JSON');
      return ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
    });
    if (typeof text === 'string') return text;
  } catch {
    // below
  }
  return `#uncached-${++uncachedConfigs}`;
}

/**
 * Builds and checks one configuration, recording what it cost and came to. Synchronous while the
 * builder and the layer are; a Promise from the first that returns one.
 */
export function runConfig(run: SearchRun, config: Config): ConfigOutcome | Promise<ConfigOutcome> {
  const key = configKey(config);
  const known = run.outcomes.get(key);
  if (known !== undefined) return known;
  const elapsed = run.clock() - run.started;
  const left = run.settings.maxEvaluations - run.evaluations;
  if (elapsed >= run.settings.maxSeconds) {
    run.stop = 'max-seconds';
    return { kind: 'budget' };
  }
  if (left <= 0) return { kind: 'budget' };
  let built: unknown;
  try {
    built = run.build(config);
  } catch (error) {
    return settle(run, config, { kind: 'threw', message: `build threw: ${messageOf(error)}` }, 0);
  }
  if (isThenable(built)) {
    return Promise.resolve(built).then(
      (value) => checkBuilt(run, config, value, left, elapsed),
      (error: unknown) => settle(run, config, { kind: 'threw', message: `build threw: ${messageOf(error)}` }, 0),
    );
  }
  return checkBuilt(run, config, built, left, elapsed);
}

function checkBuilt(run: SearchRun, config: Config, built: unknown, left: number, elapsed: number): ConfigOutcome | Promise<ConfigOutcome> {
  if (built === null || built === undefined) return settle(run, config, { kind: 'skipped' }, 0);
  const withInput = typeof built === 'object' && 'layer' in built && !('forward' in built);
  const layer = withInput ? (built as { layer: unknown }).layer : built;
  const options = {
    ...run.settings.check,
    ...(withInput ? { input: (built as unknown as { input: unknown }).input } : {}),
    seed: run.settings.seed,
    maxEvaluations: Math.min(run.settings.perCheckEvaluations, left),
    maxSeconds: Math.max(run.settings.maxSeconds - elapsed, Number.MIN_VALUE),
  };
  let outcome: GradientReport | Promise<GradientReport>;
  try {
    outcome = runGradientCheck(layer as never, options);
  } catch (error) {
    return failedCheck(run, config, error);
  }
  if (isThenable(outcome)) return Promise.resolve(outcome).then((report) => checked(run, config, report), (error: unknown) => failedCheck(run, config, error));
  return checked(run, config, outcome);
}

function failedCheck(run: SearchRun, config: Config, error: unknown): ConfigOutcome {
  if (isUsageError(error)) throw new AcrossUsageError(`At ${describeConfig(config)}: ${(error as Error).message}`, { cause: error });
  return settle(run, config, { kind: 'threw', message: messageOf(error) }, 0);
}

function checked(run: SearchRun, config: Config, report: GradientReport): ConfigOutcome {
  // A check cut short by what the search had left is not this configuration's verdict: the search ends there.
  if (report.stop !== null && report.verdict !== 'fail') {
    if (report.stop.reason === 'seconds') run.stop = 'max-seconds';
    run.evaluations += report.evaluations;
    run.tried.push({ config, verdict: 'skipped', evaluations: report.evaluations, note: `the search's ${report.stop.reason === 'seconds' ? 'time guard' : 'budget of calls'} ended during this check` });
    return { kind: 'budget' };
  }
  return settle(run, config, { kind: 'checked', report }, report.evaluations);
}

function settle(run: SearchRun, config: Config, outcome: ConfigOutcome, evaluations: number): ConfigOutcome {
  run.evaluations += evaluations;
  run.outcomes.set(configKey(config), outcome);
  run.tried.push(triedEntry(config, outcome, evaluations));
  return outcome;
}

function triedEntry(config: Config, outcome: ConfigOutcome, evaluations: number): TriedConfig {
  if (outcome.kind === 'checked') {
    const { report } = outcome;
    const note = report.verdict === 'inconclusive' ? report.inconclusive?.cause : report.verdict === 'impossible' ? report.problems[0]?.message : undefined;
    return { config, verdict: report.verdict, evaluations, ...(note === undefined ? {} : { note }) };
  }
  if (outcome.kind === 'threw') return { config, verdict: 'error', evaluations, note: outcome.message };
  return { config, verdict: 'skipped', evaluations, note: 'build returned no layer for this configuration' };
}

/** A configuration that fails: a failing check, or a layer (or builder) that throws there. */
export const isFailure = (outcome: ConfigOutcome): boolean => outcome.kind === 'threw' || (outcome.kind === 'checked' && outcome.report.verdict === 'fail');
