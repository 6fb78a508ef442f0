import { describe, expect, it } from 'vitest';
import { addToParts, emptyParts, errorBand, mergeParts, normalizedError, partsToNormalizedError } from '../../src/engine/normalized-error.js';

describe('normalizedError', () => {
  it('is ‖n − a‖ / (‖n‖ + ‖a‖)', () => {
    expect(normalizedError([3, 4], [3, 4], 2)).toBe(0);
    expect(normalizedError([3, 4], [6, 8], 2)).toBeCloseTo(5 / 15, 15);
    expect(normalizedError([1, 0], [-1, 0], 2)).toBe(1);
  });

  it('is 0 for two zero vectors and finite for huge or tiny values', () => {
    expect(normalizedError([0, 0], [0, 0], 2)).toBe(0);
    expect(normalizedError([1e200, 1e200], [2e200, 2e200], 2)).toBeCloseTo(1 / 3, 12);
    expect(normalizedError([1e-200, 0], [2e-200, 0], 2)).toBeCloseTo(1 / 3, 12);
  });
});

describe('accumulated norms', () => {
  it('merge two disjoint halves into the norm of the whole, across wide scales', () => {
    const values = [3e-150, 4, -12, 1e150, 7e149];
    const whole = emptyParts();
    const first = emptyParts();
    const second = emptyParts();
    values.forEach((v, i) => {
      addToParts(whole, v, 2 * v);
      addToParts(i < 2 ? first : second, v, 2 * v);
    });
    expect(partsToNormalizedError(mergeParts(first, second))).toBeCloseTo(partsToNormalizedError(whole), 14);
    expect(partsToNormalizedError(whole)).toBeCloseTo(1 / 3, 12);
    expect(partsToNormalizedError(mergeParts(emptyParts(), first))).toBe(partsToNormalizedError(first));
  });
});

describe('errorBand', () => {
  it('uses the classic 1e-7 / 1e-3 thresholds', () => {
    expect(errorBand(1e-9)).toBe('correct');
    expect(errorBand(1e-5)).toBe('inspect');
    expect(errorBand(2e-3)).toBe('bug');
  });

  it('sits higher for float32, whose finite differences carry ~1e-4 noise', () => {
    expect(errorBand(5e-5, 'float32')).toBe('correct');
    expect(errorBand(2e-3, 'float32')).toBe('inspect');
    expect(errorBand(2e-2, 'float32')).toBe('bug');
  });
});
