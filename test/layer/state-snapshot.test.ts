import { describe, expect, it } from 'vitest';
import { snapshotState } from '../../src/layer/state-snapshot.js';

describe('snapshotState', () => {
  it('restores values, replaced references, added and deleted keys, nested objects', () => {
    const inner = { cache: new Float32Array([1, 2]), list: [1, 2, 3] };
    const layer: Record<string, unknown> = { w: new Float64Array([0.1, 0.2]), inner, name: 'dense' };
    const snapshot = snapshotState(layer);
    (layer.w as Float64Array)[0] = 5;
    layer.inner = { other: true };
    inner.cache[1] = 9;
    inner.list.push(4);
    layer.added = 1;
    delete layer.name;
    snapshot.restore();
    expect(Array.from(layer.w as Float64Array)).toEqual([0.1, 0.2]);
    expect(layer.inner).toBe(inner);
    expect(Array.from(inner.cache)).toEqual([1, 2]);
    expect(inner.list).toEqual([1, 2, 3]);
    expect('added' in layer).toBe(false);
    expect(layer.name).toBe('dense');
  });

  it('survives cycles and does not call getters', () => {
    let reads = 0;
    const layer: Record<string, unknown> = {};
    layer.self = layer;
    Object.defineProperty(layer, 'computed', { enumerable: true, get: () => ++reads });
    snapshotState(layer).restore();
    expect(reads).toBe(0);
  });
});
