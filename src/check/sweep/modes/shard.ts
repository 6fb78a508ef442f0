import { createRng } from '../engine/rng.js';

/**
 * Which entries of each tensor a check covers. Entries are numbered across the layer's tensors in
 * report order (parameters, then the input); shard k of n takes every n-th of those numbers, so
 * each shard gets a share of every tensor and the n shards together cover each entry exactly once.
 */
export interface ShardSpec {
  /** 1-based, like the runners' `--shard=k/n`. */
  index: number;
  count: number;
}

/** The entries of one tensor a check covers, ascending. */
export type EntryList = Uint32Array;

export function shardEntries(size: number, offset: number, shard: ShardSpec | null): EntryList {
  if (shard === null || shard.count === 1) return allEntries(size);
  const first = (((shard.index - 1 - offset) % shard.count) + shard.count) % shard.count;
  const count = first >= size ? 0 : Math.floor((size - 1 - first) / shard.count) + 1;
  const entries = new Uint32Array(count);
  for (let k = 0; k < count; k++) entries[k] = first + k * shard.count;
  return entries;
}

/** Whether entry `index` of a tensor whose entries start at layer-wide number `offset` belongs to the shard. */
export function inShard(index: number, offset: number, shard: ShardSpec | null): boolean {
  return shard === null || (offset + index) % shard.count === shard.index - 1;
}

export function allEntries(size: number): EntryList {
  const entries = new Uint32Array(size);
  for (let i = 0; i < size; i++) entries[i] = i;
  return entries;
}

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

/** A 32-bit seed from several integers (FNV-style mixing), for independent seeded streams. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
  }
  return hash >>> 0;
}
