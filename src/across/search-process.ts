import { isThenable } from '../layer/promise.js';
import type { Config, Counterexample } from './across-types.js';
import { runConfig, type ConfigOutcome, type SearchRun } from './run-config.js';

/** A search as a process: it yields the configurations to check and is given each one's outcome. */
export type SearchProcess<T> = Generator<Config, T, ConfigOutcome>;

/**
 * Runs a search process: synchronously while every builder and layer answers synchronously, and as
 * a Promise from the first that returns one. One algorithm serves sync and async layers.
 */
export function driveSearch<T>(process: SearchProcess<T>, run: SearchRun): T | Promise<T> {
  let step = process.next();
  while (!step.done) {
    const outcome = runConfig(run, step.value);
    if (isThenable(outcome)) return continueAsync(process, run, outcome);
    step = process.next(outcome);
  }
  return step.value;
}

async function continueAsync<T>(process: SearchProcess<T>, run: SearchRun, pending: Promise<ConfigOutcome>): Promise<T> {
  let step = process.next(await pending);
  while (!step.done) step = process.next(await runConfig(run, step.value));
  return step.value;
}

/** A failing outcome as the result's counterexample. */
export function counterexampleOf(config: Config, outcome: ConfigOutcome, minimal: boolean, path: Config[]): Counterexample {
  if (outcome.kind === 'checked') return { config, report: outcome.report, minimal, path };
  return { config, report: null, error: outcome.kind === 'threw' ? outcome.message : 'no outcome', minimal, path };
}
