import { describe, expect, it } from 'vitest';
import { autoStep, storedStep } from '../../src/engine/step-size.js';

describe('autoStep', () => {
  it('is cbrt(machine ε) for |θ| ≤ 1 and scales with |θ| above', () => {
    expect(autoStep(0, 'float64')).toBeCloseTo(Math.cbrt(2 ** -52), 20);
    expect(autoStep(-0.5, 'float64')).toBe(autoStep(0, 'float64'));
    expect(autoStep(1e3, 'float64')).toBeCloseTo(1e3 * Math.cbrt(2 ** -52), 15);
    expect(autoStep(0, 'float32')).toBeCloseTo(Math.cbrt(2 ** -23), 12);
  });
});

describe('storedStep', () => {
  it('returns the exact step for float64 values where θ ± h is exact', () => {
    expect(storedStep(1, 2 ** -10, (x) => x)).toBe(2 ** -10);
    expect(storedStep(1, -(2 ** -10), (x) => x)).toBe(-(2 ** -10));
  });

  it('returns what float32 storage applies, not the requested step', () => {
    const theta = Math.fround(0.1);
    const plus = storedStep(theta, 1e-3, Math.fround);
    const minus = -storedStep(theta, -1e-3, Math.fround);
    expect(plus).toBe(Math.fround(theta + 1e-3) - theta);
    expect(minus).toBe(theta - Math.fround(theta - 1e-3));
    expect(plus).not.toBe(1e-3);
  });
});
