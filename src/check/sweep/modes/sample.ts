import { createRng, mixSeed } from '../../../engine/rng.js';
import type { EntryList } from './shard.js';

/** `sample`: a whole number of entries per tensor, or a fraction of each tensor's entries. */
export function sampleCount(sample: number, available: number): number {
  const wanted = sample < 1 ? Math.ceil(sample * available) : Math.floor(sample);
  return Math.min(available, Math.max(1, wanted));
}

/**
 * A seeded random subset of `entries` (partial Fisher–Yates), ascending. The seed mixes the check's
 * seed with the tensor's position, so each tensor gets its own subset and a run is replayable.
 */
export function sampleEntries(entries: EntryList, count: number, seed: number, tensorIndex: number): EntryList {
  if (count >= entries.length) return entries;
  const pool = entries.slice();
  const rng = createRng(mixSeed(seed, 0x5a11, tensorIndex));
  for (let k = 0; k < count; k++) {
    const pick = k + Math.floor(rng.next() * (pool.length - k));
    const chosen = pool[pick];
    pool[pick] = pool[k];
    pool[k] = chosen;
  }
  return pool.subarray(0, count).sort();
}
