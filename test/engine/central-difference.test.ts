import { describe, expect, it } from 'vitest';
import { estimateDerivative, type LossSamples } from '../../src/engine/central-difference.js';
import { storedStep } from '../../src/engine/step-size.js';

const exact = (x: number): number => x;

function sample(f: (x: number) => number, at: number, step: number, stored = exact): LossSamples {
  const steps = { plus: storedStep(at, step, stored), minus: -storedStep(at, -step, stored) };
  const halfSteps = { plus: storedStep(at, step / 2, stored), minus: -storedStep(at, -step / 2, stored) };
  return {
    center: f(at),
    plus: f(at + steps.plus),
    minus: f(at - steps.minus),
    plusHalf: f(at + halfSteps.plus),
    minusHalf: f(at - halfSteps.minus),
    steps,
    halfSteps,
  };
}

describe('estimateDerivative', () => {
  it('extrapolates to 4th order: exp at a large step is accurate to ~h⁴', () => {
    const h = 1e-2;
    const plain = estimateDerivative(sample(Math.exp, 1, h), 0, false);
    const extrapolated = estimateDerivative(sample(Math.exp, 1, h), 0, true);
    expect(Math.abs(plain.numeric - Math.E)).toBeGreaterThan(1e-6);
    expect(Math.abs(extrapolated.numeric - Math.E)).toBeLessThan(1e-9);
    expect(extrapolated.kink).toBeNull();
  });

  it('estimates its own truncation error within a small factor', () => {
    const h = 1e-2;
    const plain = estimateDerivative(sample(Math.exp, 1, h), 0, false);
    const actual = Math.abs(plain.numeric - Math.E);
    expect(plain.errorEstimate).toBeGreaterThan(actual);
    expect(plain.errorEstimate).toBeLessThan(10 * actual);
  });

  it('adds the rounding error of the samples: δJ/h grows as the step shrinks', () => {
    const noise = 1e-12;
    const wide = estimateDerivative(sample((x) => x * x, 1, 1e-3), noise, true);
    const narrow = estimateDerivative(sample((x) => x * x, 1, 1e-5), noise, true);
    expect((narrow.errorEstimate - Math.abs(narrow.numeric - 2)) / wide.errorEstimate).toBeGreaterThan(50);
    expect(narrow.kinkSlack / wide.kinkSlack).toBeCloseTo(100, 6);
  });

  it('finds the kink of |x| at 0 and brackets it by the one-sided slopes', () => {
    const estimate = estimateDerivative(sample(Math.abs, 0, 1e-5), 1e-17, true);
    expect(estimate.kink).not.toBeNull();
    expect(estimate.kink?.lower).toBeCloseTo(-1, 9);
    expect(estimate.kink?.upper).toBeCloseTo(1, 9);
  });

  it('finds the kink of max(x, 0) (ReLU) and of a kink just inside the step', () => {
    const relu = (x: number): number => Math.max(x, 0);
    expect(estimateDerivative(sample(relu, 0, 1e-5), 1e-17, true).kink).toMatchObject({ lower: 0, upper: 1 });
    const offset = estimateDerivative(sample((x) => relu(x - 3e-6), 0, 1e-5), 1e-17, true);
    expect(offset.kink).not.toBeNull();
    expect(offset.kink!.lower).toBeCloseTo(0, 9);
  });

  it('does not call a strongly curved smooth function a kink', () => {
    for (const at of [-2, -0.3, 0, 0.7, 3]) {
      expect(estimateDerivative(sample((x) => Math.exp(5 * x), at, 1e-3), 1e-16, true).kink).toBeNull();
      expect(estimateDerivative(sample((x) => x * x * 1e4, at, 1e-5), 1e-16, true).kink).toBeNull();
    }
  });

  it('divides by the displacement float32 storage really applied', () => {
    const at = Math.fround(0.1);
    const estimate = estimateDerivative(sample((x) => 3 * x, at, 4.9e-3, Math.fround), 0, true);
    // With the requested step as divisor the slope would be off by the rounding of θ ± h (~1e-5).
    expect(estimate.numeric).toBeCloseTo(3, 12);
  });
});
