import { AsyncLayerError } from '../check/check-gradients.js';
import { wallClock, type Clock } from '../check/clock.js';
import { OptionsError } from '../check/options.js';
import { describeValue } from '../layer/describe-value.js';
import { isThenable } from '../layer/promise.js';
import type { AcrossOptions, AcrossResult, AcrossVerdict, ArbitraryLike, Built, CandidateSpace, Config } from './across-types.js';
import { arbitrarySearch, isArbitrary } from './arbitrary-search.js';
import { candidateGrid } from './candidate-space.js';
import { gridSearch, type SearchFinding } from './grid-search.js';
import { startRun, type SearchRun } from './run-config.js';
import { driveSearch } from './search-process.js';
import { searchSettings } from './search-settings.js';

export type Builder<C extends Config = Config> = (config: C) => Built | Promise<Built>;

/** The worst verdict among the configurations checked: a failure is the counterexample; nothing checked is no pass. */
function verdictOf(run: SearchRun, finding: SearchFinding): AcrossVerdict {
  if (finding.counterexample !== null) return 'fail';
  if (run.stop !== null) return 'inconclusive';
  const verdicts = new Set(run.tried.map((t) => t.verdict));
  if (verdicts.has('impossible')) return 'impossible';
  if (verdicts.has('inconclusive') || finding.explored === 0) return 'inconclusive';
  return 'pass';
}

function resultOf(run: SearchRun, finding: SearchFinding, spaceSize: number | null, spaceKind: AcrossResult['spaceKind']): AcrossResult {
  const verdict = verdictOf(run, finding);
  return {
    pass: verdict === 'pass',
    verdict,
    tried: run.tried,
    counterexample: finding.counterexample,
    spaceSize,
    explored: finding.explored,
    evaluations: run.evaluations,
    stop: run.stop,
    seed: run.settings.seed,
    spaceKind,
  };
}

/**
 * Checks the layer `build(config)` returns across the space; sync while every layer is, a Promise
 * from the first that is async. The clock is injected for tests.
 */
export function runGradientSearch<C extends Config>(
  build: Builder<C>,
  space: CandidateSpace | ArbitraryLike<C>,
  options?: AcrossOptions,
  clock: Clock = wallClock,
): AcrossResult | Promise<AcrossResult> {
  if (typeof build !== 'function') throw new OptionsError(`The first argument must be a function config => layer (or { layer, input }), but got ${describeValue(build)}.`);
  const settings = searchSettings(options);
  const run = startRun(build as (config: Config) => unknown, settings, clock);
  if (isArbitrary(space)) {
    const found = arbitrarySearch(space, run);
    return isThenable(found) ? Promise.resolve(found).then((f) => resultOf(run, f, null, 'arbitrary')) : resultOf(run, found, null, 'arbitrary');
  }
  if (typeof space !== 'object' || space === null || Array.isArray(space)) {
    throw new OptionsError(`The space must be a record of candidate lists ({ rows: [1, 2, 3] }) or a fast-check Arbitrary, but got ${describeValue(space)}.`);
  }
  const grid = candidateGrid(space as CandidateSpace);
  const found = driveSearch(gridSearch(grid, run), run);
  const size = Number.isFinite(grid.size) ? grid.size : null;
  return isThenable(found) ? Promise.resolve(found).then((f) => resultOf(run, f, size, 'candidates')) : resultOf(run, found, size, 'candidates');
}

/**
 * Checks a layer across shapes and settings: `build(config)` gives the layer (or `{ layer, input }`,
 * or null to skip a configuration) for each configuration of `space`, a record of candidate lists
 * (smallest first) or a fast-check Arbitrary. Tries the smaller configurations first within the
 * search's budget of calls, and shrinks a failure until no single value can move to a smaller one
 * and still fail. Seeded and reproducible. Throws an AsyncLayerError for an async layer or builder
 * (use `checkGradientsAcrossAsync`).
 */
export function checkGradientsAcross<C extends Config>(build: Builder<C>, space: CandidateSpace | ArbitraryLike<C>, options?: AcrossOptions): AcrossResult {
  const result = runGradientSearch(build, space, options);
  if (isThenable(result)) {
    // Let the async search finish putting its layer back; the caller asked for a sync answer it cannot have.
    void Promise.resolve(result).catch(() => undefined);
    throw new AsyncLayerError('A layer (or the builder) returned a Promise: use await checkGradientsAcrossAsync(build, space) for async layers.');
  }
  return result;
}

/** The same search for async builders and layers (each call awaited); also works for sync ones. */
export async function checkGradientsAcrossAsync<C extends Config>(build: Builder<C>, space: CandidateSpace | ArbitraryLike<C>, options?: AcrossOptions): Promise<AcrossResult> {
  return runGradientSearch(build, space, options);
}
