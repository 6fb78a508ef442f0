/**
 * The layer's gradient scale sets what a negligible gradient is. When no gradient of the layer is
 * resolved at all (an activation saturated at every input), the outputs set it: a correct saturated
 * layer passes, its tiny gradients counted negligible, while float32 finite differences too coarse to
 * mean anything (epsilon 1e-6) stay inconclusive.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/report/format-report.js';
import { checkKeepingState } from '../../helpers/check-keeping-state.js';
import { SaturatedActivation } from '../../zoo/nasty/saturated-everywhere.js';

describe('a layer saturated at every input', () => {
  it.each([
    ['float64', 'tanh'],
    ['float32', 'sigmoid'],
  ] as const)('%s %s passes, with every gradient negligible against the scale of its outputs', (dtype, activation) => {
    const report = checkKeepingState(new SaturatedActivation(dtype, activation));
    expect(report.verdict).toBe('pass');
    expect(report.gradientScaleFrom).toBe('outputs');
    // The projection's largest entry: r is a seeded standard normal over the 12 outputs.
    expect(report.gradientScale).toBeGreaterThan(1);
    expect(report.gradientScale).toBeLessThan(4);
    expect(report.tensors[0].negligible).toBe(12);
    expect(formatReport(report)).toContain('the largest entry of the projection r: no gradient was resolved at all, so the outputs set the scale');
  });

  it('float32 with epsilon 1e-6 stays inconclusive: its finite differences cannot tell a wrong gradient there either', () => {
    const report = checkKeepingState(new SaturatedActivation('float32', 'sigmoid'), { epsilon: 1e-6 });
    expect(report.verdict).toBe('inconclusive');
    expect(report.inconclusive?.cause).toMatch(/no gradient of the layer was resolved at all/);
    expect(report.inconclusive?.remedies[0]).toMatch(/^use epsilon: 'auto'/);
  });

  it('a layer with resolved gradients keeps its own scale', () => {
    const report = checkKeepingState(new SaturatedActivation('float64', 'tanh', [0.5, -0.25, 1, 2, -1.5, 0.75, 0.1, -0.3, 1.2, -2, 0.6, -0.9]));
    expect(report.gradientScaleFrom).toBe('gradients');
    expect(report.verdict).toBe('pass');
  });
});
