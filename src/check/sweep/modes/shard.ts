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
