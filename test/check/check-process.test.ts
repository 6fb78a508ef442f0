/**
 * The check as one process: the same numbers whether a layer answers synchronously or with
 * Promises, progress as it goes, and an honest stop at the hard time limit.
 */
import { describe, expect, it } from 'vitest';
import { withoutWallTime } from '../helpers/without-wall-time.js';
import { checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import type { GradientCheckOptions } from '../../src/check/options.js';
import type { CheckProgress } from '../../src/check/sweep/progress.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { AsyncAffine } from '../zoo/hostile/layers.js';
import { LargeDense } from '../zoo/large/dense.js';


describe('sync and async layers run one algorithm', () => {
  it.each<[string, GradientCheckOptions]>([
    ['exhaustive', { mode: 'exhaustive' }],
    ['projection', { mode: 'projection', sample: 3 }],
    ['sample', { sample: 4 }],
  ])('%s: identical reports, every number bit for bit', async (_mode, options) => {
    for (const bug of ['none', 'weight-times-2', 'bias-first-sample'] as const) {
      const sync = checkGradients(new AffineLayer({ bug }), options);
      const async = await checkGradientsAsync(new AsyncAffine({ bug }), options);
      expect(withoutWallTime(async)).toEqual(withoutWallTime(sync));
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
