/**
 * The check as one process: the same numbers whether a layer answers synchronously or with
 * Promises, progress as it goes, and an honest stop at the hard time limit.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import { checkProcess } from '../../src/check/check-process.js';
import { drive } from '../../src/check/layer-call.js';
import { validateOptions, type GradientCheckOptions } from '../../src/check/options.js';
import type { CheckProgress } from '../../src/check/sweep/progress.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { AsyncAffine } from '../zoo/hostile/layers.js';
import { LargeDense } from '../zoo/large/dense.js';

/** A report without the one timing-dependent text (the planner's estimate of seconds). */
const withoutTiming = (report: GradientReport): unknown => ({ ...report, mode: { ...report.mode, reason: report.mode.reason.replace(/(≈ \S+|< 0\.01) s/, 'T s') } });

describe('sync and async layers run one algorithm', () => {
  it.each<[string, GradientCheckOptions]>([
    ['exhaustive', { mode: 'exhaustive' }],
    ['projection', { mode: 'projection', sample: 3 }],
    ['sample', { sample: 4 }],
  ])('%s: identical reports, every number bit for bit', async (_mode, options) => {
    for (const bug of ['none', 'weight-times-2', 'bias-first-sample'] as const) {
      const sync = checkGradients(new AffineLayer({ bug }), options);
      const async = await checkGradientsAsync(new AsyncAffine({ bug }), options);
      expect(withoutTiming(async)).toEqual(withoutTiming(sync));
    }
  });

  it('checkGradientsAsync also takes a sync layer', async () => {
    const report = await checkGradientsAsync(new AffineLayer());
    expect(report.verdict).toBe('pass');
  });
});

describe('onProgress', () => {
  it('reports the probe, then the mode, with counts that grow, ending at the report’s own totals', () => {
    const seen: CheckProgress[] = [];
    const report = checkGradients(new LargeDense({ inSize: 60, outSize: 40, batch: 2 }), { mode: 'projection', onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0].phase).toBe('probe');
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ phase: 'projection', forwardCalls: report.forwardCalls });
    for (let k = 1; k < seen.length; k++) expect(seen[k].forwardCalls).toBeGreaterThanOrEqual(seen[k - 1].forwardCalls);
  });

  it('is validated', () => {
    expect(() => checkGradients(new AffineLayer(), { onProgress: 5 as never })).toThrow('onProgress must be a function');
  });
});

describe('the hard time limit', () => {
  it('stops an auto check that overruns 4× its budget and reports the entries it did not reach as inconclusive', () => {
    // A virtual clock: barely moving while the probe times the layer (so exhaustive looks cheap),
    // then 50 ms per reading, as if the machine had slowed down.
    let now = 0;
    let readings = 0;
    const clock = (): number => (now += ++readings < 60 ? 1e-7 : 0.05);
    const layer = new LargeDense({ inSize: 30, outSize: 20, batch: 1 });
    const report = drive(checkProcess(layer, validateOptions({ maxSeconds: 1 }), clock), false) as GradientReport;
    expect(report.verdict).toBe('inconclusive');
    const skipped = report.tensors.reduce((n, t) => n + t.coverage.skipped, 0);
    expect(skipped).toBeGreaterThan(0);
    expect(report.inconclusive?.cause).toMatch(/of its entries were not reached before the time limit/);
  });

  it("never stops mode: 'exhaustive'", () => {
    let now = 0;
    const clock = (): number => (now += 0.01);
    const layer = new LargeDense({ inSize: 30, outSize: 20, batch: 1 });
    const report = drive(checkProcess(layer, validateOptions({ mode: 'exhaustive', maxSeconds: 1 }), clock), false) as GradientReport;
    expect(report.verdict).toBe('pass');
    expect(report.tensors.every((t) => t.coverage.skipped === 0 && t.coverage.measured === t.size)).toBe(true);
  });
});
