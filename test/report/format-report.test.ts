import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { failureDiff, formatReport } from '../../src/report/format-report.js';
import { likelyCause } from '../../src/report/likely-cause.js';
import { reportToJSON } from '../../src/report/to-json.js';
import { formatNumber } from '../../src/report/format-number.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';
import { RandomNetwork } from '../zoo/protocol/random-network.js';
import { InfiniteGradient, LogBarrier } from '../zoo/protocol/misbehaving.js';
import { zooEntry } from '../zoo/index.js';
import type { TensorReport } from '../../src/check/report-types.js';

describe('formatReport', () => {
  it('locks the full text of a failing report under a fixed seed', () => {
    const report = checkGradients(new ScaleLayer({ dwFactor: 0.5 }), { seed: 1, mode: 'exhaustive' });
    expect(formatReport(report, { maxEntries: 3 })).toMatchInlineSnapshot(`
      "6 of 18 gradient entries disagree, in 1 of 3 tensors (seed 1, float64 defaults (epsilon auto = 6.1e-6·max(1, |θ|), tolerance 1e-6), Richardson).
      Mode: exhaustive, every entry measured one by one (mode: 'exhaustive' was given).

        w      [6]         6 of 6 wrong      normalized error 0.3333 (bug)
        c      [6]         ok                normalized error 1.54e-11 (correct)
        input  [6]         ok                normalized error 2.23e-11 (correct)
        overall normalized error 0.1911 (bug)

      Worst entries:
        w[5]  analytic     -1.374  numeric     -2.749 ±3.01e-9  error     1.374  allowed 2.75e-6
        w[1]  analytic      1.216  numeric         2.432 ±2e-9  error     1.216  allowed 2.43e-6
        w[2]  analytic     0.7656  numeric       1.531 ±1.5e-9  error    0.7656  allowed 1.53e-6
        … and 3 more

      Likely cause:
        w: analytic ≈ numeric / 2: a factor 2 too small (a halved term, or a missing factor 2 from a square?)"
    `);
  });

  it('says when everything agrees', () => {
    const text = formatReport(checkGradients(new ScaleLayer()));
    expect(text.split('\n')[0]).toBe(
      'All 18 gradient entries agree with finite differences (seed 42, float64 defaults (epsilon auto = 6.1e-6·max(1, |θ|), tolerance 1e-6), Richardson).',
    );
    expect(text).not.toContain('Worst entries');
  });

  it('marks non-finite entries and puts them first', () => {
    const text = formatReport(checkGradients(new InfiniteGradient()));
    expect(text).toMatch(/w\[4\] +analytic +Infinity .*error +n\/a .*\(the analytic gradient is not finite\)/);
    expect(text).toContain('non-finite values in the gradient or the loss');
  });
});

describe('formatReport on kinks and non-finite losses', () => {
  it('lists kink entries with their interval and count, and still passes', () => {
    const report = checkGradients(zooEntry('relu-at-kinks').make('float64'));
    expect(report.pass).toBe(true);
    expect(report.kinkCount).toBe(3);
    const lines = formatReport(report).split('\n');
    expect(lines).toContain('3 entries sit at non-differentiable points (kinks); their analytic values are valid subgradients:');
    const kinkLines = lines.filter((l) => / in \[/.test(l));
    expect(kinkLines).toHaveLength(3);
    expect(kinkLines[0]).toMatch(/^  input\[\d+(,\d+)*\]  analytic 0 in \[(0|-?\d\S*), -?\d\S*\]$/);
  });

  it('says how many passing entries were checked to the absolute tolerance only', () => {
    const report = checkGradients(new RandomNetwork({ seed: 1001, float32: true }));
    expect(report.pass).toBe(true);
    expect(report.tensors.map((t) => [t.name, t.negligible])).toEqual([['W1', 2], ['b1', 1], ['W2', 0], ['b2', 0], ['input', 2]]);
    expect(formatReport(report)).toContain(
      '5 passing entries were checked only to the absolute tolerance 0.01285 (tolerance × the largest resolved gradient 1.285; W1 2, b1 1, input 2): ' +
        "any error they could hide is negligible against the layer's gradients.",
    );
    expect(report.tensors.map((t) => t.band)).toEqual(['inspect', 'inspect', 'correct', 'correct', 'inspect']);
  });

  it('says when the loss turned non-finite under a perturbation', () => {
    expect(formatReport(checkGradients(new LogBarrier()))).toMatch(/w\[3\] .*\(the loss became non-finite when this entry was perturbed\)/);
  });
});

describe('failureDiff and reportToJSON', () => {
  it('keys failing entries by position, analytic as actual and numeric as expected', () => {
    const report = checkGradients(new ScaleLayer({ dwFactor: 2 }));
    const { actual, expected } = failureDiff(report, { maxEntries: 2 });
    expect(Object.keys(actual)).toHaveLength(2);
    for (const key of Object.keys(actual)) expect(actual[key]).toBeCloseTo(2 * expected[key], 8);
  });

  it('serializes without typed arrays or non-finite numbers', () => {
    const json = JSON.stringify(reportToJSON(checkGradients(new InfiniteGradient())));
    expect(json).toContain('"error":"Infinity"');
    expect(json).not.toContain('"analytic":{');
    expect(JSON.parse(json).tensors[0].failures[0].position).toEqual([4]);
  });
});

describe('likelyCause', () => {
  const tensor = (analytic: number[], numeric: number[], shape: number[], failing: number[]): TensorReport => ({
    name: 'W',
    shape,
    size: analytic.length,
    dtype: 'float64',
    pass: false,
    normalizedError: 0.5,
    band: 'bug',
    kinks: [],
    ragged: false,
    negligible: 0,
    inconclusive: [],
    coverage: { inScope: analytic.length, measured: analytic.length, screened: 0, detectionFloor: null, unlocalized: [], failingBlocks: [], skipped: 0 },
    analytic: Float64Array.from(analytic),
    numeric: Float64Array.from(numeric),
    errorEstimate: new Float64Array(analytic.length),
    failures: failing.map((i) => ({
      index: i,
      position: [Math.floor(i / shape[shape.length - 1]), i % shape[shape.length - 1]],
      analytic: analytic[i],
      numeric: numeric[i],
      error: Math.abs(analytic[i] - numeric[i]),
      errorEstimate: 0,
      allowed: 1e-9,
      stepUsed: 1e-5,
      kind: 'mismatch' as const,
    })),
  });

  it('spots a transposed weight gradient, also for non-square shapes', () => {
    // numeric is [2,3]; analytic holds its [3,2] transpose flattened.
    const numeric = [1, 2, 3, 4, 5, 6];
    const analytic = [1, 4, 2, 5, 3, 6];
    expect(likelyCause(tensor(analytic, numeric, [2, 3], [1, 2, 3, 4]))).toMatch(/transpose/);
  });

  it('spots an all-zero gradient, a batch-size factor and a single wrong entry', () => {
    expect(likelyCause(tensor([0, 0, 0, 0], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toMatch(/all zeros/);
    expect(likelyCause(tensor([4, 8, 12, 16], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toMatch(/4 × numeric/);
    expect(likelyCause(tensor([1, 2, 3.5, 4], [1, 2, 3, 4], [2, 2], [2]))).toMatch(/only W\[1,0\] is wrong/);
  });
});

describe('formatNumber', () => {
  it('uses 4 significant digits and exponents outside [1e-3, 1e5)', () => {
    expect(formatNumber(0.333333)).toBe('0.3333');
    expect(formatNumber(1.23456e-7)).toBe('1.23e-7');
    expect(formatNumber(123456)).toBe('1.23e5');
    expect(formatNumber(-0)).toBe('-0');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});
