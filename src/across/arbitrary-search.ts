import { OptionsError } from '../check/options.js';
import { isThenable } from '../layer/promise.js';
import type { ArbitraryLike, Config, Counterexample, FastCheckModule } from './across-types.js';
import type { SearchFinding } from './grid-search.js';
import { configKey, isFailure, runConfig, type ConfigOutcome, type SearchRun } from './run-config.js';
import { counterexampleOf } from './search-process.js';

/** fast-check recognizes an Arbitrary by these three members; so does the search. */
export function isArbitrary(space: unknown): space is ArbitraryLike {
  return typeof space === 'object' && space !== null && 'generate' in space && 'shrink' in space && 'canShrinkWithoutContext' in space;
}

/**
 * The fast-check module: the one given in the options, else the user's own, required from the
 * working directory (or `from`) — an optional peer: the package never imports it, and installs
 * without it.
 */
export function fastCheckModule(given: FastCheckModule | undefined, from?: string): FastCheckModule {
  if (given !== undefined) return given;
  const processLike = (globalThis as { process?: { cwd?: () => string; getBuiltinModule?: (id: string) => unknown } }).process;
  const cwd = from ?? (typeof processLike?.cwd === 'function' ? processLike.cwd() : null);
  if (cwd !== null && typeof processLike?.getBuiltinModule === 'function') {
    const { createRequire } = processLike.getBuiltinModule('node:module') as { createRequire(path: string): (id: string) => unknown };
    try {
      return createRequire(`${cwd}/package.json`)('fast-check') as FastCheckModule;
    } catch {
      // not installed there: say so below
    }
  }
  throw new OptionsError(
    `The space is a fast-check Arbitrary, but fast-check could not be loaded${cwd === null ? '' : ` from ${cwd}`}. ` +
      "Install it (npm i -D fast-check), or pass the module: { fastCheck: fc } with import * as fc from 'fast-check'.",
  );
}

/** What the property sees of the search, and what the search keeps of fast-check's runs. */
interface PropertyState {
  run: SearchRun;
  explored: number;
  failures: Config[];
  budgetEnded: boolean;
  usageError: unknown;
  /** Configurations already counted (fast-check may generate one twice; the outcome is cached). */
  counted: Set<string>;
}

function record(state: PropertyState, config: Config, outcome: ConfigOutcome): boolean {
  if (outcome.kind === 'budget') {
    state.budgetEnded = true;
    return true;
  }
  const key = configKey(config);
  const fresh = !state.counted.has(key);
  state.counted.add(key);
  if (fresh && state.failures.length === 0 && outcome.kind !== 'skipped') state.explored++;
  if (!isFailure(outcome)) return true;
  if (fresh) state.failures.push(config);
  return false;
}

/** Usage errors end the search; fast-check would take them for a failing run and shrink them. */
function guarded<T>(state: PropertyState, work: () => T): T {
  try {
    return work();
  } catch (error) {
    state.usageError ??= error;
    throw error;
  }
}

function finding(state: PropertyState, details: unknown): SearchFinding {
  if (state.usageError !== undefined) throw state.usageError;
  const { failed, counterexample } = details as { failed: boolean; counterexample: unknown[] | null };
  if (state.failures.length === 0) return { explored: state.explored, counterexample: null };
  // The first configuration is checked before fast-check runs (to tell sync from async); if only it failed, it is the counterexample, unshrunk.
  const shrunk = failed && counterexample !== null;
  const config = (shrunk ? counterexample[0] : state.failures[0]) as Config;
  const outcome = state.run.outcomes.get(configKey(config)) ?? { kind: 'threw' as const, message: 'the counterexample was not checked by the search' };
  const minimal = shrunk && !state.budgetEnded;
  const found: Counterexample = counterexampleOf(config, outcome, minimal, state.failures.slice());
  return { explored: state.explored, counterexample: found };
}

/**
 * Runs fast-check over the Arbitrary with its own generation and shrinking; each generated
 * configuration is checked as in the grid search (cached, within the search's budget). Sync layers
 * get a sync property; the first configuration's check tells whether the layer is async.
 */
export function arbitrarySearch(arbitrary: ArbitraryLike, run: SearchRun): SearchFinding | Promise<SearchFinding> {
  const fc = fastCheckModule(run.settings.fastCheck);
  const state: PropertyState = { run, explored: 0, failures: [], budgetEnded: false, usageError: undefined, counted: new Set() };
  const parameters = { seed: run.settings.seed, numRuns: run.settings.runs };
  const [first] = fc.sample(arbitrary, { seed: run.settings.seed, numRuns: 1 }) as Config[];
  const probe = runConfig(run, first);
  if (isThenable(probe)) {
    return Promise.resolve(probe).then(async (outcome) => {
      record(state, first, outcome);
      const property = fc.asyncProperty(arbitrary, async (config: Config) => guarded(state, () => Promise.resolve(runConfig(run, config))).then((outcome) => record(state, config, outcome)));
      return finding(state, await (fc.check(property, parameters) as Promise<unknown>));
    });
  }
  record(state, first, probe);
  const property = fc.property(arbitrary, (config: Config) =>
    guarded(state, () => {
      const outcome = runConfig(run, config);
      if (isThenable(outcome)) throw new OptionsError(`The layer built for ${configKey(config)} is async while the first one was not: use checkGradientsAcrossAsync.`);
      return record(state, config, outcome);
    }),
  );
  return finding(state, fc.check(property, parameters));
}
