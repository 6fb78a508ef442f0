/**
 * The snapshot at scale (npm run test:stress): more reachable objects than a quick test needs, and a
 * chain deeper than any recursion could walk.
 */
import { describe, expect, it } from 'vitest';
import { restoredAfter } from '../helpers/restored-after.js';

describe('snapshotState at scale', () => {
  it('restores more than 100,000 reachable objects, also along a 50,000-deep chain', () => {
    const items = Array.from({ length: 60_000 }, (_, i) => ({ value: i }));
    let chain: { depth: number; next: unknown } = { depth: 0, next: null };
    for (let depth = 1; depth < 50_000; depth++) chain = { depth, next: chain };
    const layer = { items, chain };
    const failures = restoredAfter(layer, () => {
      for (const item of items) item.value = -1;
      items[59_999] = { value: 0 };
      let node = chain as { depth: number; next: unknown } | null;
      while (node !== null) {
        node.depth = -1;
        node = node.next as typeof node;
      }
    });
    expect(failures).toEqual([]);
    expect(items[59_999].value).toBe(59_999);
  });
});
