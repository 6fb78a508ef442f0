import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/engine/rng.js';

describe('createRng', () => {
  it('replays the same sequence from the same seed and differs across seeds', () => {
    const draw = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(42);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((a, b) => a + b) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
