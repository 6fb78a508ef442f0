import { OptionsError } from '../check/options.js';
import { createRng, mixSeed } from '../engine/rng.js';
import { describeValue } from '../layer/describe-value.js';
import type { CandidateSpace, Config } from './across-types.js';

/**
 * A record of candidate lists as a grid: a configuration is one index per key, and a smaller index
 * is a smaller value (the lists are given smallest first).
 */
export interface CandidateGrid {
  keys: readonly string[];
  lists: readonly (readonly unknown[])[];
  /** How many configurations the grid holds (Infinity past 2^53). */
  size: number;
}

/** Index vectors, one index per key. */
export type GridPoint = readonly number[];

export function candidateGrid(space: CandidateSpace): CandidateGrid {
  const keys = Object.keys(space);
  if (keys.length === 0) throw new OptionsError('The space has no keys: give candidate lists such as { rows: [1, 2, 3], cols: [1, 2, 3] }.');
  const lists = keys.map((key) => {
    const list = space[key];
    if (!Array.isArray(list) || list.length === 0) {
      throw new OptionsError(`The space's '${key}' must be a non-empty array of candidate values, smallest first, but got ${describeValue(list)}.`);
    }
    return list as readonly unknown[];
  });
  const size = lists.reduce((product, list) => product * list.length, 1);
  return { keys, lists, size: Number.isSafeInteger(size) ? size : Infinity };
}

export function configAt(grid: CandidateGrid, point: GridPoint): Config {
  const config: Record<string, unknown> = {};
  grid.keys.forEach((key, k) => (config[key] = grid.lists[k][point[k]]));
  return config;
}

export const pointKey = (point: GridPoint): string => point.join(',');

/** Every point whose indices sum to `total`, in lexicographic order. */
function* pointsWithSum(grid: CandidateGrid, total: number, prefix: number[] = []): Generator<GridPoint> {
  const k = prefix.length;
  if (k === grid.keys.length) {
    if (total === 0) yield prefix.slice();
    return;
  }
  // What the keys after this one can still absorb bounds this key from below.
  let rest = 0;
  for (let j = k + 1; j < grid.lists.length; j++) rest += grid.lists[j].length - 1;
  for (let index = Math.max(0, total - rest); index <= Math.min(total, grid.lists[k].length - 1); index++) {
    prefix.push(index);
    yield* pointsWithSum(grid, total - index, prefix);
    prefix.pop();
  }
}

/** The grid's points, smallest first: by the sum of their indices, then lexicographically. */
export function* smallestFirst(grid: CandidateGrid): Generator<GridPoint> {
  const largest = grid.lists.reduce((sum, list) => sum + list.length - 1, 0);
  for (let total = 0; total <= largest; total++) yield* pointsWithSum(grid, total);
}

/**
 * The order the search tries points in: two of the smallest untried for each seeded random one, so
 * the small configurations (where a failure is easiest to read) come first and a large grid's far
 * corners are reached too. Every point once; reproducible from the seed.
 */
export function* explorationOrder(grid: CandidateGrid, seed: number): Generator<GridPoint> {
  const rng = createRng(mixSeed(seed, 0xacc0));
  const seen = new Set<string>();
  const small = smallestFirst(grid);
  const fresh = (point: GridPoint): boolean => {
    const key = pointKey(point);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (let turn = 0; seen.size < grid.size; turn++) {
    if (turn % 3 === 2) {
      const random = randomUntried(grid, rng, seen);
      if (random !== null && fresh(random)) yield random;
      continue;
    }
    let next = small.next();
    while (!next.done && !fresh(next.value)) next = small.next();
    if (next.done) return;
    yield next.value;
  }
}

/** A uniformly drawn point not yet seen (a few draws; null when they all hit seen points). */
function randomUntried(grid: CandidateGrid, rng: ReturnType<typeof createRng>, seen: ReadonlySet<string>): GridPoint | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const point = grid.lists.map((list) => Math.floor(rng.next() * list.length));
    if (!seen.has(pointKey(point))) return point;
  }
  return null;
}

/**
 * The smaller points a shrink step tries: each key alone to each smaller candidate (smallest
 * first), then two keys one step down together, then every key one step down. The joint moves
 * matter for bugs that need values to stay related: a failure at 4 × 4 that needs rows = cols
 * passes at 3 × 4 and at 4 × 3, and shrinks only diagonally.
 */
export function* smallerNeighbours(point: GridPoint): Generator<GridPoint> {
  for (let k = 0; k < point.length; k++) {
    for (let index = 0; index < point[k]; index++) yield withIndex(point, k, index);
  }
  const movable = point.flatMap((index, k) => (index > 0 ? [k] : []));
  for (let a = 0; a < movable.length; a++) {
    for (let b = a + 1; b < movable.length; b++) yield stepDown(point, [movable[a], movable[b]]);
  }
  if (movable.length > 2) yield stepDown(point, movable);
}

function withIndex(point: GridPoint, key: number, index: number): GridPoint {
  const moved = point.slice();
  moved[key] = index;
  return moved;
}

function stepDown(point: GridPoint, keys: readonly number[]): GridPoint {
  const moved = point.slice();
  for (const k of keys) moved[k]--;
  return moved;
}
