/**
 * Helpers of the advanced and nasty zoo layers: the shared zoo helpers (seeded values, storage in
 * the dtype's containers, `flatten` / `writeInto`, bug-variant plumbing) plus a few of their own.
 */
import type { Rng } from '../tensor-utils.js';

export * from '../tensor-utils.js';

/** A uniformly random permutation of 0..n-1. */
export function permutation(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

