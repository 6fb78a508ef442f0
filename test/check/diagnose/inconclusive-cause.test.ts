import { describe, expect, it } from 'vitest';
import { explainInconclusive, type InconclusiveFacts } from '../../../src/check/diagnose/inconclusive-cause.js';
import type { InconclusiveExplanation, TensorReport } from '../../../src/check/report-types.js';

const tensor = (name: string, errorEstimate: number, needed: number): TensorReport => ({
  name,
  shape: [2],
  size: 2,
  ragged: false,
  dtype: 'float64',
  pass: false,
  normalizedError: 0.1,
  band: 'bug',
  failures: [],
  kinks: [],
  jointFailures: [], tiedGroups: [],
  gradientFactor: 1,
  negligible: 0,
  coverage: { inScope: 2, measured: 2, screened: 0, detectionFloor: null, screenedTo: null, screenedUnresolved: 0, weak: 0, unlocalized: [], failingBlocks: [], skipped: 0 },
  inconclusive: [{ index: 0, position: [0], analytic: 1, numeric: 1.1, errorEstimate, needed, stepUsed: 1e-5 }],
  analytic: new Float64Array(2),
  numeric: new Float64Array(2),
  errorEstimate: new Float64Array(2),
});

const facts = (overrides: Partial<InconclusiveFacts>): InconclusiveFacts => ({
  neededEvaluations: null,
  gradientScaleFrom: 'gradients',
  dtype: 'float64',
  epsilon: 'auto',
  tolerance: 1e-6,
  gradientScale: 0,
  baseOutput: Float64Array.from([0.5, -1, 2]),
  scalarLoss: false,
  lossNoise: 1e-6,
  tensors: [tensor('W', 3, 1e-6)],
  ...overrides,
});

/** The explanation, which these facts (unresolved entries) always produce. */
const explained = (input: InconclusiveFacts): InconclusiveExplanation => {
  const explanation = explainInconclusive(input);
  if (explanation === null) throw new Error('no explanation');
  return explanation;
};

describe('explainInconclusive', () => {
  it('gives none when everything was resolved', () => {
    expect(explainInconclusive(facts({ tensors: [] }))).toBeNull();
  });

  it('names the tensors, the worst error bar against the one needed, and ends with the explicit opt-in', () => {
    const { cause, remedies } = explained(facts({ tensors: [tensor('W', 3, 1e-6), tensor('b', 0.5, 1e-3)], gradientScale: 2, gradientScaleFrom: 'outputs' }));
    expect(cause).toContain('The gradients of W (1 of 2), b (1 of 2) could not be resolved: their finite differences are uncertain by up to 3 where a verdict needs at most 1e-6');
    expect(cause).toContain('or of 2, the largest entry of the projection: no gradient of the layer was resolved at all');
    expect(remedies.at(-1)).toBe('or accept unresolved entries explicitly with { allowInconclusive: true }');
  });

  it('a scalar loss of 1e9 is named as the cause', () => {
    const { cause, remedies } = explained(facts({ scalarLoss: true, baseOutput: Float64Array.from([1e9]) }));
    expect(cause).toContain('The loss is about 1e9');
    expect(remedies[0]).toContain('check at an input where the loss is smaller');
  });

  it('a step far too large for the curvature is named, with epsilon auto as the remedy', () => {
    const { cause, remedies } = explained(facts({ epsilon: 0.5 }));
    expect(cause).toContain('The step epsilon = 0.5 is so large');
    expect(remedies[0]).toContain("use epsilon: 'auto'");
  });

  it('float32 without another cause suggests a float64 copy', () => {
    const { cause, remedies } = explained(facts({ dtype: 'float32', tolerance: 1e-2, gradientScale: 2 }));
    expect(cause).toContain('Each loss evaluation is rounded by about 1e-6 (outputs up to 2)');
    expect(cause).toContain("the layer's largest resolved gradient 2");
    expect(remedies).toEqual([
      'check a float64 copy of the layer (Float64Array storage rounds 5e8 times less)',
      'or accept unresolved entries explicitly with { allowInconclusive: true }',
    ]);
  });
});
