/**
 * The budget bounds every check: no call into the layer past maxEvaluations or maxSeconds, in any
 * mode and in any phase; an async call that never settles is abandoned. A check that stops is
 * inconclusive (or fails, on what it already found wrong), says why, and leaves the layer exactly
 * as it was. Time runs on a virtual clock here, so the tests are exact on any machine.
 */
import { describe, expect, it } from 'vitest';
import { createBudget } from '../../src/check/budget.js';
import { CheckAbandoned, checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import { checkProcess } from '../../src/check/check-process.js';
import { drive } from '../../src/check/layer-call.js';
import { validateOptions, type GradientCheckOptions } from '../../src/check/options.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { MIN_CENTER_CHECKS } from '../../src/check/sweep/determinism.js';
import type { Layer } from '../../src/layer/protocol.js';
import { formatReport } from '../../src/report/format-report.js';
import { keepsState } from '../helpers/check-keeping-state.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { ClockedAffine, HangingAffine, withDerivedState } from '../zoo/hostile/layers.js';
import { LargeDense } from '../zoo/large/dense.js';

/** The check on a virtual clock that only the layer's calls move (see ClockedAffine). */
function checkOnClock(layer: Layer, clock: { now: number }, options: GradientCheckOptions): GradientReport {
  const validated = validateOptions(options);
  const read = (): number => clock.now;
  const budget = createBudget(validated, read);
  return drive(checkProcess(layer, validated, read, budget), false, budget) as GradientReport;
}

const stopProblem = (report: GradientReport) => report.problems.find((p) => p.kind === 'budget-exhausted');

describe('maxSeconds: a guard that holds in every mode', () => {
  it.each<[string, GradientCheckOptions]>([
    ['auto', {}],
    ['exhaustive', { mode: 'exhaustive' }],
    ['projection', { mode: 'projection' }],
    ['sample', { sample: 10 }],
  ])('%s: a layer of 25 ms per call stops at 0.5 s (within one call), inconclusive, and is put back', (_mode, options) => {
    const clock = { now: 0 };
    const layer = new ClockedAffine(clock, 0.025);
    const unchanged = keepsState(layer);
    const report = checkOnClock(layer, clock, { ...options, maxSeconds: 0.5 });
    unchanged();
    expect(report.verdict).toBe('inconclusive');
    expect(report.stop).toMatchObject({ reason: 'seconds', call: 'forward()' });
    // The guard refuses the first call past 0.5 s: one 25 ms call over at most, plus the one closing forward.
    expect(clock.now).toBeLessThanOrEqual(0.5 + 0.025 + 0.025 + 1e-9);
    expect(clock.now).toBeLessThanOrEqual(1.25 * 0.5);
    expect(stopProblem(report)?.message).toMatch(/^The check reached its time guard, maxSeconds = 0\.5 s, after \d+ calls\./);
    expect(formatReport(report)).toContain('✗ The check reached its time guard');
  });

  it('reports a wrong gradient found before the stop as a failure, not as inconclusive', () => {
    const clock = { now: 0 };
    const report = checkOnClock(new ClockedAffine(clock, 0.001, { bug: 'weight-times-2' }), clock, { mode: 'exhaustive', maxSeconds: 0.1 });
    expect(report.stop?.reason).toBe('seconds');
    expect(report.verdict).toBe('fail');
    expect(report.tensors.find((t) => t.name === 'W')?.failures.length).toBeGreaterThan(0);
  });

  it('counts the calls before the plan too: a guard that ends inside the probe leaves every other entry not reached', () => {
    const clock = { now: 0 };
    const report = checkOnClock(new ClockedAffine(clock, 0.025), clock, { maxSeconds: 0.1 });
    expect(report.stop?.reason).toBe('seconds');
    // The first forward, the first backward and the two contract runs (backward(0), backward(2r)) make 4 forward and 3
    // backward calls by 0.1 s; the guard is "past 0.1 s", so one probe call still runs, and the next is refused.
    expect(report.evaluations).toBe(8);
    expect(report.tensors.map((t) => t.coverage.measured)).toEqual([0, 0, 0]);
    expect(report.tensors.every((t) => t.coverage.skipped === t.coverage.inScope)).toBe(true);
    expect(report.verdict).toBe('inconclusive');
  });

  it('ends with one forward at the original values, so state a layer derives out of reach (tfjs Variables) ends as it began', () => {
    const clock = { now: 0 };
    const layer = withDerivedState(new ClockedAffine(clock, 0.025));
    const original = layer.W[0];
    const report = checkOnClock(layer, clock, { mode: 'exhaustive', maxSeconds: 0.2 });
    expect(report.stop?.reason).toBe('seconds');
    expect(layer.derived()).toBe(original);
    expect(report.forwardCalls + report.backwardCalls).toBe(report.evaluations + 1);
  });
});

describe('maxEvaluations: every call counts', () => {
  it('is the exact number of calls a check may make, forward and backward alike', () => {
    const full = checkGradients(new AffineLayer(), { mode: 'exhaustive' });
    expect(full.evaluations).toBe(full.forwardCalls + full.backwardCalls);
    expect(full.evaluations).toBeGreaterThan(MIN_CENTER_CHECKS);
    const exact = checkGradients(new AffineLayer(), { mode: 'exhaustive', maxEvaluations: full.evaluations });
    expect(exact.verdict).toBe('pass');
    const layer = new AffineLayer();
    const unchanged = keepsState(layer);
    const short = checkGradients(layer, { mode: 'exhaustive', maxEvaluations: full.evaluations - 1 });
    unchanged();
    expect(short.verdict).toBe('inconclusive');
    expect(short.stop).toMatchObject({ reason: 'evaluations', evaluations: full.evaluations - 1 });
    expect(short.evaluations).toBe(full.evaluations - 1);
    expect(stopProblem(short)?.message).toMatch(new RegExp(`^The check used all ${(full.evaluations - 1).toLocaleString('en-US')} calls of maxEvaluations\\. Raise maxEvaluations`));
  });

  it("defaults to 10,000 calls for mode 'auto' and to no limit for an explicit mode", () => {
    expect(validateOptions({}).maxEvaluations).toBe(10_000);
    expect(validateOptions({ mode: 'exhaustive' }).maxEvaluations).toBe(Infinity);
    expect(validateOptions({ sample: 5 }).maxEvaluations).toBe(Infinity);
    expect(validateOptions({ mode: 'exhaustive', maxEvaluations: 50 }).maxEvaluations).toBe(50);
    const large = checkGradients(new LargeDense({ inSize: 200, outSize: 150, batch: 2 }));
    expect(large.mode.kind).toBe('projection');
    expect(large.evaluations).toBeLessThanOrEqual(10_000);
    expect(large.verdict).toBe('pass');
  });

  it('is validated', () => {
    expect(() => checkGradients(new AffineLayer(), { maxCallSeconds: 0 })).toThrow('maxCallSeconds must be a number > 0');
    expect(() => checkGradients(new AffineLayer(), { maxEvaluations: 2.5 })).toThrow('maxEvaluations must be a whole number > 0');
  });
});

describe('an async call that never settles', () => {
  it('is abandoned after maxCallSeconds: the check reports it and the layer is put back exactly', async () => {
    const layer = new HangingAffine(40);
    const unchanged = keepsState(layer);
    const started = performance.now();
    const report = await checkGradientsAsync(layer, { maxCallSeconds: 0.05 });
    expect(performance.now() - started).toBeLessThan(5000);
    unchanged();
    expect(report.verdict).toBe('inconclusive');
    expect(report.stop).toMatchObject({ reason: 'call-timeout', call: 'forward()' });
    expect(stopProblem(report)?.message).toMatch(/^forward\(\) did not settle within 0\.05 s; it was abandoned after \d+ calls and the layer was put back/);
  });

  it('on the very first call, throws CheckAbandoned (nothing was known yet) and puts the layer back', async () => {
    const layer = new HangingAffine(1);
    const unchanged = keepsState(layer);
    const error = await checkGradientsAsync(layer, { maxCallSeconds: 0.05 }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    unchanged();
    expect(error).toBeInstanceOf(CheckAbandoned);
    expect((error as Error).message).toMatch(/^The first forward\(\) call was abandoned, so nothing could be checked; the layer was put back\. forward\(\) did not settle within 0\.05 s/);
  });
});
