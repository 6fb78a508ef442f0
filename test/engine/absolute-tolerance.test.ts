import { describe, expect, it } from 'vitest';
import { createGradientScale, neededErrorEstimate } from '../../src/engine/absolute-tolerance.js';

describe('gradient scale', () => {
  it('is the largest |numeric| measured to the relative tolerance; noisy values and non-finite ones do not count', () => {
    const scale = createGradientScale();
    scale.add(0.5, 1e-9, 1e-6);
    scale.add(-2, 1e-7, 1e-6);
    scale.add(40, 1, 1e-6); // noise as large as the value: not resolved
    scale.add(Number.POSITIVE_INFINITY, 0, 1e-6);
    expect(scale.value).toBe(2);
  });

  it('is 0 when nothing was resolved, so no absolute allowance is given', () => {
    const scale = createGradientScale();
    scale.add(3, 5, 1e-2);
    expect(scale.value).toBe(0);
  });

  it('adds the absolute tolerance to the relative one', () => {
    expect(neededErrorEstimate(-4, 2, 1e-2, 0.5)).toBeCloseTo(0.54, 12);
    expect(neededErrorEstimate(0, 0, 1e-6, 0)).toBe(0);
  });
});
