import { describe, expect, it } from 'vitest';
import { absoluteDot, compensatedDot } from '../../src/engine/summation.js';

describe('compensatedDot', () => {
  it('keeps small terms that plain summation loses against large ones', () => {
    const a = [1e16, 1, -1e16, 1];
    const ones = [1, 1, 1, 1];
    expect(a.reduce((s, v) => s + v, 0)).not.toBe(2);
    expect(compensatedDot(a, ones, 4)).toBe(2);
  });

  it('sums absolute products for the rounding scale', () => {
    expect(absoluteDot([1, -2], [3, 4], 2)).toBe(11);
  });
});
