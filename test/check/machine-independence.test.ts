/**
 * One meaning of pass on every machine: the plan counts calls, never seconds, so the same layer and
 * seed give the same report, verdict and failing entries when forward is 10 or 100 times slower, in
 * every mode (only the wall time differs). And a forward that is random on a small share of its
 * calls is found, not passed.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import type { GradientCheckOptions } from '../../src/check/options.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { createRng } from '../../src/engine/rng.js';
import { formatReport } from '../../src/report/format-report.js';
import { checkKeepingState } from '../helpers/check-keeping-state.js';
import { withoutWallTime } from '../helpers/without-wall-time.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { FlakyAffine, slowedDown } from '../zoo/hostile/layers.js';
import { LargeDense } from '../zoo/large/dense.js';

const failing = (report: GradientReport): string[] => report.tensors.flatMap((t) => t.failures.map((f) => `${t.name}[${f.position.join(',')}]`));

describe('the same verdict at 1×, 10× and 100× forward cost', () => {
  const cases: [string, () => { forward(input: unknown): unknown }, GradientCheckOptions, string][] = [
    ['auto, planned exhaustive: a small layer with W ×2', () => new AffineLayer({ bug: 'weight-times-2' }), {}, 'exhaustive'],
    // A budget of 1,500 calls makes auto plan projection for 620 entries, as 10,000 do for a larger layer.
    ['auto, planned projection: 620 entries with one planted error', () => new LargeDense({ inSize: 30, outSize: 20, plantedWeightErrors: new Map([[434, 1.01]]) }), { maxEvaluations: 1500 }, 'projection'],
    ["mode: 'projection'", () => new LargeDense({ inSize: 30, outSize: 20, plantedWeightErrors: new Map([[77, -1]]) }), { mode: 'projection' }, 'projection'],
    ["mode: 'exhaustive'", () => new LargeDense({ inSize: 20, outSize: 10, plantedWeightErrors: new Map([[33, 2]]) }), { mode: 'exhaustive' }, 'exhaustive'],
  ];
  it.each(cases)('%s', (_name, make, options, kind) => {
    const reports = [1, 10, 100].map((factor) => checkGradients(slowedDown(make(), factor) as never, options));
    expect(reports[0].mode.kind).toBe(kind);
    expect(reports[0].verdict).toBe('fail');
    expect(failing(reports[0]).length).toBeGreaterThan(0);
    for (const slower of reports.slice(1)) {
      expect(withoutWallTime(slower)).toEqual(withoutWallTime(reports[0]));
      expect(formatReport(slower)).toBe(formatReport(reports[0]));
    }
    // The text holds no time unless asked for.
    expect(formatReport(reports[0])).not.toMatch(/\d s\b/);
    expect(formatReport(reports[0], { timings: true })).toMatch(/^Took [\d.e-]+ s for \d+ calls into the layer\.$/m);
  });
});

describe('rare randomness', () => {
  it.each<[string, GradientCheckOptions, number]>([
    ["mode: 'exhaustive'", { mode: 'exhaustive' }, 60],
    ["mode: 'projection'", { mode: 'projection' }, 60],
  ])('%s: a forward that changes on 1 %% of its calls is impossible in every one of %i seeded runs', (_mode, options, runs) => {
    for (let seed = 1; seed <= runs; seed++) {
      const random = createRng(seed);
      expect(checkKeepingState(new FlakyAffine(0.01, () => random.next()), { ...options, seed }).verdict).toBe('impossible');
    }
  });

  it('a forward whose output changes on 1 % of its calls is impossible in at least 99 % of seeded runs, within the default budget', () => {
    const runs = 300;
    let impossible = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const random = createRng(seed);
      const report = checkKeepingState(new FlakyAffine(0.01, () => random.next()), { seed });
      expect(report.evaluations).toBeLessThanOrEqual(10_000);
      if (report.verdict === 'impossible') impossible++;
      else expect(report.verdict).toBe('pass');
    }
    expect(impossible).toBeGreaterThanOrEqual(0.99 * runs);
  });
});
