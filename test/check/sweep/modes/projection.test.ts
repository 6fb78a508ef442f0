/**
 * Projection with localization on layers large enough to need it: wrong entries planted at exact
 * indices are found by index, correct layers pass with a stated detection floor, and nothing that
 * could not be checked passes.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../../src/check/check-gradients.js';
import type { GradientReport, TensorReport } from '../../../../src/check/report-types.js';
import { captureDeepState, expectSameDeepState } from '../../../helpers/deep-state.js';
import { PROBE_ENTRIES } from '../../../../src/check/plan/gradient-scale-probe.js';
import { LOCALIZED_FAILURES_LIMIT } from '../../../../src/check/sweep/modes/projection.js';
import { TARGET_BLOCK } from '../../../../src/check/plan/plan.js';
import { MIN_CENTER_CHECKS } from '../../../../src/check/sweep/determinism.js';
import { formatReport } from '../../../../src/report/format-report.js';
import { AffineLayer } from '../../../zoo/hostile/affine-layer.js';
import { LargeDense } from '../../../zoo/large/dense.js';
import { zooEntry } from '../../../zoo/index.js';

const SIZES = { inSize: 200, outSize: 150, batch: 2 };
const tensor = (report: GradientReport, name: string): TensorReport => {
  const found = report.tensors.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tensor ${name}`);
  return found;
};
const failingIndices = (report: GradientReport, name: string): number[] => tensor(report, name).failures.map((f) => f.index).sort((a, b) => a - b);

describe('projection mode', () => {
  it('passes a correct 30,000-entry layer, screening every entry to its guarantee relative to its own gradient', () => {
    const layer = new LargeDense(SIZES);
    const before = captureDeepState(layer);
    const report = checkGradients(layer, { mode: 'projection' });
    expectSameDeepState(before, captureDeepState(layer));
    expect(report.verdict).toBe('pass');
    expect(report.mode).toMatchObject({ kind: 'projection', blockSize: TARGET_BLOCK.float64 });
    const W = tensor(report, 'W');
    // The probe's entries are measured one by one; every other entry is screened by two blocks.
    expect(W.coverage.screened + W.coverage.measured).toBe(30_000);
    expect(W.coverage.weak).toBe(0);
    expect(W.coverage.screenedTo).toBeGreaterThan(0);
    expect(W.coverage.screenedTo).toBeLessThan(1e-3);
    expect(formatReport(report)).toMatch(/W +\[30000\] +ok .*screened 29992 to [\d.e-]+ relative\]/);
    // Two directions per block of a few hundred entries: under 2 % of the exhaustive check's calls, plus the re-evaluations every check makes.
    expect(report.forwardCalls).toBeLessThan(0.02 * 4 * 30_000 + MIN_CENTER_CHECKS);
  });

  it('finds planted wrong entries by exact index: ×2, a sign flip, 1e-3 relative, two in one block', () => {
    const planted = new Map([
      [17, 2],
      [12_345, -1],
      [20_001, 1 + 1e-3],
      [20_002, 0.5],
    ]);
    const report = checkGradients(new LargeDense({ ...SIZES, plantedWeightErrors: planted }), { mode: 'projection' });
    expect(report.verdict).toBe('fail');
    expect(failingIndices(report, 'W')).toEqual([17, 12_345, 20_001, 20_002]);
    expect(tensor(report, 'b').failures).toEqual([]);
    expect(tensor(report, 'input').failures).toEqual([]);
  });

  it('localizes in O(f·log N) calls: each planted entry costs a few dozen calls, not a block', () => {
    const correct = checkGradients(new LargeDense(SIZES), { mode: 'projection' });
    const buggy = checkGradients(new LargeDense({ ...SIZES, plantedWeightErrors: new Map([[4321, 3]]) }), { mode: 'projection' });
    expect(failingIndices(buggy, 'W')).toEqual([4321]);
    // Halving a block of 1000 to one entry: ~10 levels × 2 halves × ~5 calls, plus the leaf pair.
    expect(buggy.forwardCalls - correct.forwardCalls).toBeLessThan(150);
  });

  it('finds a swapped pair of entries (a transposition inside one block), which ±1 weights would miss half the time', () => {
    const layer = new LargeDense(SIZES);
    const backward = layer.backward.bind(layer);
    layer.backward = (g) => {
      const dx = backward(g);
      const swapped = layer.dW[100];
      layer.dW[100] = layer.dW[101];
      layer.dW[101] = swapped;
      return dx;
    };
    const report = checkGradients(layer, { mode: 'projection' });
    expect(failingIndices(report, 'W')).toEqual([100, 101]);
  });

  it('finds planted entries in float32', () => {
    const sizes = { inSize: 100, outSize: 80, batch: 2, float32: true };
    const planted = new Map([
      [3, 2],
      [7_000, -1],
    ]);
    const correct = checkGradients(new LargeDense(sizes), { mode: 'projection' });
    expect(correct.verdict).toBe('pass');
    expect(correct.mode.blockSize).toBe(TARGET_BLOCK.float32);
    const report = checkGradients(new LargeDense({ ...sizes, plantedWeightErrors: planted }), { mode: 'projection' });
    expect(failingIndices(report, 'W')).toEqual([3, 7_000]);
  });

  it('fails a whole wrong weight gradient at 16 located entries and reports the other blocks as failing blocks', () => {
    const report = checkGradients(new LargeDense({ ...SIZES, weightGradientFactor: 2 }), { mode: 'projection' });
    expect(report.verdict).toBe('fail');
    const W = tensor(report, 'W');
    // The located entries, plus the largest gradients the scale probe measured one by one.
    expect(W.failures.length).toBeGreaterThanOrEqual(LOCALIZED_FAILURES_LIMIT);
    expect(W.failures.length).toBeLessThanOrEqual(LOCALIZED_FAILURES_LIMIT + PROBE_ENTRIES);
    expect(W.coverage.failingBlocks.length).toBeGreaterThan(20);
    expect(W.coverage.failingBlocks[0].reason).toMatch(/not localized further, as \d+ wrong entries of this tensor were already located/);
    // Far below the exhaustive check's 4 calls per entry.
    expect(report.forwardCalls).toBeLessThan(0.1 * 4 * 30_000);
  });

  it('never fails entries that are each within tolerance, even when many carry small errors of random sign', () => {
    const layer = new LargeDense({ inSize: 100, outSize: 60, batch: 2 });
    const backward = layer.backward.bind(layer);
    layer.backward = (g) => {
      const dx = backward(g);
      // Every weight gradient off by up to 5e-7 relative: within the 1e-6 tolerance entry by entry.
      for (let i = 0; i < layer.dW.length; i++) layer.dW[i] *= 1 + (i % 3 === 0 ? 5e-7 : -5e-7);
      return dx;
    };
    const report = checkGradients(layer, { mode: 'projection' });
    expect(report.verdict).toBe('pass');
  });

  it('accepts valid subgradients at kinks, as the exhaustive check does', () => {
    const entry = zooEntry('dense-relu-at-kinks');
    expect(checkGradients(entry.make('float64'), { mode: 'projection' }).verdict).toBe('pass');
    expect(checkGradients(entry.make('float32'), { mode: 'projection' }).verdict).toBe('pass');
  });

  it('is inconclusive, never a pass, where the projection resolves nothing (outputs offset by 1e12, a ×2 bug)', () => {
    const report = checkGradients(new AffineLayer({ outputOffset: 1e12, bug: 'weight-times-2' }), { mode: 'projection' });
    expect(report.verdict).toBe('inconclusive');
    expect(report.inconclusive?.cause).toContain('The outputs carry an offset of about 1e12');
  });

  it('is inconclusive, naming the calls it would need, when the budget forces float32 blocks too large for the 10 % guarantee', () => {
    const report = checkGradients(new LargeDense({ ...SIZES, float32: true }), { mode: 'auto', maxEvaluations: 5000 });
    expect(report.mode.kind).toBe('projection');
    expect(report.mode.blockSize).toBeGreaterThan(TARGET_BLOCK.float32);
    expect(report.verdict).toBe('inconclusive');
    const W = tensor(report, 'W');
    expect(W.coverage.weak).toBeGreaterThan(1000);
    expect(report.inconclusive?.cause).toMatch(/W was not fully checked: \d+ screened entries sit in blocks whose larger gradients hide errors of their size/);
    expect(report.inconclusive?.remedies[0]).toMatch(/^maxEvaluations: \d+000 \(about what screening every entry to its guarantee needs\), or mode: 'exhaustive'$/);
    // The weak entries do not fit the calls left, so none is measured: the budget is not burnt on a part of them.
    expect(report.evaluations).toBeLessThan(5000);
  });
});

describe('sample mode', () => {
  it('measures a seeded subset one by one and says how many of how many', () => {
    const planted = new Map([[5, 2]]);
    const report = checkGradients(new LargeDense({ ...SIZES, plantedWeightErrors: planted }), { sample: 40, seed: 1 });
    expect(report.mode).toMatchObject({ kind: 'sample', reason: 'sample: 40 was given' });
    const W = tensor(report, 'W');
    // The sample, plus the 8 largest gradients the scale probe measures in every mode.
    expect(W.coverage.measured).toBeGreaterThanOrEqual(40);
    expect(W.coverage.measured).toBeLessThanOrEqual(48);
    expect(W.coverage.inScope).toBe(30_000);
    expect(Number.isNaN(W.numeric[29_999]) || W.errorEstimate[29_999] >= 0).toBe(true);
    const again = checkGradients(new LargeDense({ ...SIZES, plantedWeightErrors: planted }), { sample: 40, seed: 1 });
    expect(Array.from(tensor(again, 'W').numeric, (v) => Number.isNaN(v))).toEqual(Array.from(W.numeric, (v) => Number.isNaN(v)));
  });

  it('takes a fraction, and a fraction of 1 entry per tensor at least', () => {
    const report = checkGradients(new LargeDense(SIZES), { sample: 0.001 });
    expect(tensor(report, 'W').coverage.measured).toBeGreaterThanOrEqual(30);
    expect(report.verdict).toBe('pass');
  });
});
