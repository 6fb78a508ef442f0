/**
 * One guarantee in every mode: an entry is judged against its own gradient, never against the
 * largest one in the layer. A weight row 10⁵ or 10⁷ times larger than the others (one output with a
 * large gain) cannot hide a 1 % error or a sign flip in a small entry, under the default options and
 * under each explicit mode; an entry the exhaustive check calls negligible is the only exception,
 * in every mode alike. (Two wrong entries of one block whose errors cancel: screening.stress.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import type { GradientCheckOptions } from '../../../src/check/options.js';
import type { GradientReport } from '../../../src/check/report-types.js';
import { formatReport } from '../../../src/report/format-report.js';
import { checkKeepingState } from '../../helpers/check-keeping-state.js';
import { LargeDense } from '../../zoo/large/dense.js';

const SIZES = { inSize: 60, outSize: 40, batch: 2 };
/** W[5,17]: a weight of an output without gain. */
const PLANTED = 5 * SIZES.inSize + 17;
const MODES: [string, GradientCheckOptions][] = [
  ['default options', {}],
  ["mode: 'projection'", { mode: 'projection' }],
  ["mode: 'exhaustive'", { mode: 'exhaustive' }],
];
const wrongEntries = (report: GradientReport): string[] => report.tensors.flatMap((t) => t.failures.map((f) => `${t.name}[${f.position.join(',')}]`));

describe('an entry is judged against its own gradient', () => {
  it.each(MODES)('%s: beside a gain of 1e5, a weight entry wrong by 1 % fails, named exactly', (_name, options) => {
    const layer = new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e5 }, plantedWeightErrors: new Map([[PLANTED, 1.01]]) });
    const report = checkKeepingState(layer, options);
    expect(report.verdict).toBe('fail');
    expect(wrongEntries(report)).toEqual([`W[${PLANTED}]`]);
  });

  it.each(MODES)('%s: beside a gain of 1e7, a sign-flipped weight entry fails, named exactly', (_name, options) => {
    const layer = new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e7 }, plantedWeightErrors: new Map([[PLANTED, -1]]) });
    const report = checkKeepingState(layer, options);
    expect(report.verdict).toBe('fail');
    expect(wrongEntries(report)).toEqual([`W[${PLANTED}]`]);
  });

  it.each(MODES)('%s: beside a gain of 1e5, a weight entry wrong by 1e-3 relative fails too', (_name, options) => {
    const layer = new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e5 }, plantedWeightErrors: new Map([[PLANTED, 1 + 1e-3]]) });
    expect(wrongEntries(checkKeepingState(layer, options))).toEqual([`W[${PLANTED}]`]);
  });

  it('a correct layer with such a gain passes in every mode, and projection states what its pass guarantees', () => {
    for (const [, options] of MODES) {
      const report = checkKeepingState(new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e7 } }), options);
      expect(report.verdict).toBe('pass');
    }
    const projected = checkGradients(new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e5 } }), { mode: 'projection' });
    const W = projected.tensors[0];
    expect(W.coverage.screenedTo).toBeLessThanOrEqual(1e-3);
    expect(formatReport(projected)).toMatch(/W +\[2400\] +ok .*screened \d+ to [\d.e-]+ relative\]/);
  });

  it('where the loss rounding hides an error from every mode, every mode says so alike: a 1e-3 error beside a gain of 1e7 is negligible', () => {
    const verdicts = MODES.map(([, options]) => {
      const layer = new LargeDense({ ...SIZES, outputGain: { unit: 0, gain: 1e7 }, plantedWeightErrors: new Map([[PLANTED, 1 + 1e-3]]) });
      return checkKeepingState(layer, options);
    });
    expect(verdicts.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass']);
    // The entry is negligible: its finite difference carries more noise than the layer's absolute tolerance lets matter.
    for (const report of verdicts) expect(report.tensors[0].negligible).toBeGreaterThan(0);
  });
});
