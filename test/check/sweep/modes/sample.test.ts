import { describe, expect, it } from 'vitest';
import { sampleCount, sampleEntries } from '../../../../src/check/sweep/modes/sample.js';
import { shardEntries } from '../../../../src/check/sweep/modes/shard.js';

describe('shards', () => {
  it('split the layer-wide numbering so n shards cover every entry of every tensor exactly once', () => {
    const sizes = [7, 3, 10];
    for (const count of [1, 2, 3, 4]) {
      const seen = sizes.map((size) => new Array<number>(size).fill(0));
      for (let index = 1; index <= count; index++) {
        let offset = 0;
        sizes.forEach((size, t) => {
          for (const entry of shardEntries(size, offset, { index, count })) seen[t][entry]++;
          offset += size;
        });
      }
      expect(seen.flat().every((n) => n === 1)).toBe(true);
    }
  });

  it('give shard k the entries whose layer-wide number is k − 1 modulo n', () => {
    expect(Array.from(shardEntries(10, 7, { index: 2, count: 3 }))).toEqual([0, 3, 6, 9]);
    expect(Array.from(shardEntries(2, 0, { index: 3, count: 3 }))).toEqual([]);
  });
});

describe('samples', () => {
  it('take a count or a fraction, at least one entry and at most all', () => {
    expect(sampleCount(5, 100)).toBe(5);
    expect(sampleCount(0.1, 95)).toBe(10);
    expect(sampleCount(500, 20)).toBe(20);
    expect(sampleCount(0.001, 20)).toBe(1);
  });

  it('are seeded, ascending, distinct and differ per tensor', () => {
    const entries = Uint32Array.from({ length: 1000 }, (_, i) => i);
    const first = Array.from(sampleEntries(entries, 20, 42, 0));
    expect(Array.from(sampleEntries(entries, 20, 42, 0))).toEqual(first);
    expect(new Set(first).size).toBe(20);
    expect([...first].sort((a, b) => a - b)).toEqual(first);
    expect(Array.from(sampleEntries(entries, 20, 42, 1))).not.toEqual(first);
    expect(Array.from(sampleEntries(entries, 20, 43, 0))).not.toEqual(first);
  });
});
