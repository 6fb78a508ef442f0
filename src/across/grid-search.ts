import type { Counterexample } from './across-types.js';
import { configAt, explorationOrder, smallerNeighbours, type CandidateGrid, type GridPoint } from './candidate-space.js';
import { isFailure, type ConfigOutcome, type SearchRun } from './run-config.js';
import { counterexampleOf, type SearchProcess } from './search-process.js';

/** Share of the search's calls the exploration may spend: the rest is kept for shrinking what it finds. */
const EXPLORATION_SHARE = 0.75;

export interface SearchFinding {
  /** Configurations checked before any shrinking (skipped ones not counted). */
  explored: number;
  counterexample: Counterexample | null;
}

export interface Failing {
  point: GridPoint;
  outcome: ConfigOutcome;
}

/**
 * Explores the grid smallest first (with seeded far draws), stops at the first failure and shrinks
 * it: keys move to smaller candidates while the configuration still fails, until no single key
 * (nor two keys together, nor all at once, one step each) can.
 */
export function* gridSearch(grid: CandidateGrid, run: SearchRun): SearchProcess<SearchFinding> {
  let explored = 0;
  let failing: Failing | null = null;
  for (const point of explorationOrder(grid, run.settings.seed)) {
    if (run.evaluations >= EXPLORATION_SHARE * run.settings.maxEvaluations) break;
    const outcome = yield configAt(grid, point);
    if (outcome.kind === 'budget') break;
    if (outcome.kind !== 'skipped') explored++;
    if (isFailure(outcome)) {
      failing = { point, outcome };
      break;
    }
  }
  if (failing === null) return { explored, counterexample: null };
  return { explored, counterexample: yield* shrinkGrid(grid, failing) };
}

/** Moves to the smallest neighbour (see `smallerNeighbours`) that still fails, again and again; minimal when none does. */
export function* shrinkGrid(grid: CandidateGrid, start: Failing): SearchProcess<Counterexample> {
  let current = start;
  const path = [configAt(grid, start.point)];
  for (;;) {
    let moved = false;
    for (const neighbour of smallerNeighbours(current.point)) {
      const outcome = yield configAt(grid, neighbour);
      if (outcome.kind === 'budget') return counterexampleOf(configAt(grid, current.point), current.outcome, false, path);
      if (isFailure(outcome)) {
        current = { point: neighbour, outcome };
        path.push(configAt(grid, neighbour));
        moved = true;
        break;
      }
    }
    if (!moved) return counterexampleOf(configAt(grid, current.point), current.outcome, true, path);
  }
}
