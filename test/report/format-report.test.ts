import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { failureDiff, formatReport } from '../../src/report/format-report.js';
import { diagnoseTensor } from '../../src/check/diagnose/tensor-diagnoses.js';
import { failureMap } from '../../src/report/failure-map.js';
import { NaNOutput, UpstreamMutating } from '../zoo/protocol/misbehaving.js';
import { reportToJSON } from '../../src/report/to-json.js';
import { formatNumber } from '../../src/engine/format-number.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';
import { RandomNetwork } from '../zoo/protocol/random-network.js';
import { InfiniteGradient, LogBarrier } from '../zoo/protocol/misbehaving.js';
import { zooEntry } from '../zoo/index.js';
import type { TensorReport } from '../../src/check/report-types.js';

/** A hand-made tensor report: `failing` lists the flat indices that fail. */
const tensor = (analytic: number[], numeric: number[], shape: number[], failing: number[]): TensorReport => ({
  name: 'W',
  shape,
  size: analytic.length,
  dtype: 'float64',
  pass: false,
  normalizedError: 0.5,
  band: 'bug',
  kinks: [],
  jointFailures: [], tiedGroups: [],
  gradientFactor: 1,
  ragged: false,
  negligible: 0,
  inconclusive: [],
  coverage: { inScope: analytic.length, measured: analytic.length, screened: 0, detectionFloor: null, screenedTo: null, screenedUnresolved: 0, weak: 0, unlocalized: [], failingBlocks: [], skipped: 0 },
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
        w: analytic ≈ numeric / 2: a factor 2 too small (a halved term, or a missing factor 2 from a square?). If the library scales this gradient on purpose (averaging over the batch), declare it: { gradientFactor: { w: 1 / 2 } }"
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
    expect(actual.size).toBe(2);
    for (const [key, value] of actual) expect(value).toBeCloseTo(2 * expected.get(key)!, 8);
  });

  it('lists positions in numeric order, not sorted as text (input[2] before input[10])', () => {
    const w = Float64Array.from({ length: 12 }, (_, i) => 1 + i / 8);
    const dw = new Float64Array(12);
    const x = Float64Array.from({ length: 12 }, (_, i) => 0.5 - i / 16);
    const doubled = {
      params: { w },
      grads: { w: dw },
      forward: (input: Float64Array) => input.map((v, i) => w[i] * v),
      backward: (g: Float64Array) => {
        for (let i = 0; i < 12; i++) dw[i] += 2 * g[i] * x[i];
        return g.map((v, i) => v * w[i]);
      },
      sampleInput: () => x.slice(),
    };
    const report = checkGradients(doubled);
    const keys = [...failureDiff(report, { maxEntries: 12 }).actual.keys()];
    expect(keys.slice(0, 3)).toEqual(['w[0]', 'w[1]', 'w[2]']);
    expect(keys.indexOf('w[2]')).toBeLessThan(keys.indexOf('w[10]'));
  });

  it('serializes without typed arrays or non-finite numbers', () => {
    const json = JSON.stringify(reportToJSON(checkGradients(new InfiniteGradient())));
    expect(json).toContain('"error":"Infinity"');
    expect(json).not.toContain('"analytic":{');
    expect(JSON.parse(json).tensors[0].failures[0].position).toEqual([4]);
  });
});

describe('diagnoseTensor on hand-made reports', () => {
  const noEvidence = { firstSampleOnly: new Set<string>(), accumulating: new Set<string>() };
  const kinds = (t: TensorReport): string[] => diagnoseTensor(t, { problems: [], evidence: noEvidence, tolerance: 1e-6, isInput: false }).map((d) => `${d.kind}${d.factor === undefined ? '' : ` ${d.factor}`}`);
  it('spots a transposed weight gradient, also for non-square shapes', () => {
    // numeric is [2,3]; analytic holds its [3,2] transpose flattened.
    const numeric = [1, 2, 3, 4, 5, 6];
    const analytic = [1, 4, 2, 5, 3, 6];
    expect(kinds(tensor(analytic, numeric, [2, 3], [1, 2, 3, 4]))).toEqual(['transpose']);
  });

  it('names no transposition where the entries the transpose reads from pass', () => {
    // A symmetric true gradient [[1,2,3],[2,5,6],[3,6,9]], its upper triangle wrong, the lower one
    // correct and unmeasured (NaN, as under projection): the transpose "explains" every failing
    // entry, but a transposed write would have made the lower triangle fail too.
    const numeric = [1, 2, 3, Number.NaN, 5, 6, Number.NaN, Number.NaN, 9];
    const analytic = [1, 2.5, 3.7, 2, 5, 6.2, 3, 6, 9];
    expect(kinds(tensor(analytic, numeric, [3, 3], [1, 2, 5]))).toEqual([]);
    // The same entries written transposed from a non-symmetric gradient: both triangles fail.
    const truth = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const transposed = [1, 4, 7, 2, 5, 8, 3, 6, 9];
    expect(kinds(tensor(transposed, truth, [3, 3], [1, 2, 3, 5, 6, 7]))).toEqual(['transpose']);
  });

  it('spots an all-zero gradient, a batch-size factor and a single wrong entry', () => {
    expect(kinds(tensor([0, 0, 0, 0], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual(['zero']);
    expect(kinds(tensor([4, 8, 12, 16], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual(['scale 4']);
    expect(kinds(tensor([0.25, 0.5, 0.75, 1], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual(['scale 0.25']);
    expect(kinds(tensor([-1, -2, -3, -4], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual(['sign -1']);
    expect(kinds(tensor([1, 2, 3.5, 4], [1, 2, 3, 4], [2, 2], [2]))).toEqual(['single-entry']);
  });

  it('names no constant factor when the ratio varies beyond the entries\' error, or is 1', () => {
    // Ratios 2, 2.001, 2: constant to 5e-4, far outside tolerance 1e-6 and errors of 0.
    expect(kinds(tensor([2, 4.002, 6, 8], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual([]);
    // Ratio 1 + 1e-6 on every entry: within tolerance, so an approximation, not a factor.
    expect(kinds(tensor([1, 2, 3, 4].map((v) => v * (1 + 3e-6)), [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toEqual([]);
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

describe('failureMap', () => {
  it('draws a transposed 4×4 gradient as its off-diagonal pattern, one character per entry', () => {
    const numeric = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const analytic = [1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 4, 8, 12, 16];
    const failing = numeric.map((_, i) => i).filter((i) => analytic[i] !== numeric[i]);
    expect(failureMap(tensor(analytic, numeric, [4, 4], failing))).toEqual([
      'W [4×4], one character per entry (× wrong, · agrees):',
      '  0 ·×××',
      '  1 ×·××',
      '  2 ××·×',
      '  3 ×××·',
    ]);
  });

  it('draws a large tensor per block, so a wrong row still shows as a line', () => {
    const size = 40 * 100;
    const numeric = Array.from({ length: size }, (_, i) => 1 + (i % 7));
    const analytic = numeric.map((v, i) => (Math.floor(i / 100) === 7 ? 2 * v : v));
    const failing = analytic.map((_, i) => i).filter((i) => Math.floor(i / 100) === 7);
    const map = failureMap(tensor(analytic, numeric, [40, 100], failing))!;
    expect(map[0]).toBe('W [40×100], one character per 3×3 block (× wrong, · agrees):');
    // Rows 6–8 share a block row; 14 block rows of 34 blocks.
    expect(map).toHaveLength(1 + 14);
    expect(map[3]).toBe(`   6 ${'×'.repeat(34)}`);
    for (const line of [...map.slice(1, 3), ...map.slice(4)]) expect(line).toMatch(/^ +\d+ ·{34}$/);
  });

  it('marks unresolved entries, and draws nothing for tensors that are not 2-D, have no failure, or fail everywhere', () => {
    const withUnresolved = tensor([2, 2, 3, 4], [1, 2, 3, 4], [2, 2], [0]);
    withUnresolved.inconclusive = [{ index: 3, position: [1, 1], analytic: 4, numeric: 4, errorEstimate: 1, needed: 0.1, stepUsed: 1e-5 }];
    expect(failureMap(withUnresolved)).toEqual(['W [2×2], one character per entry (× wrong, ? unresolved, · agrees):', '  0 ×·', '  1 ·?']);
    expect(failureMap(tensor([2, 2, 3, 4], [1, 2, 3, 4], [4], [0]))).toBeNull();
    expect(failureMap(tensor([1, 2, 3, 4], [1, 2, 3, 4], [2, 2], []))).toBeNull();
    expect(failureMap(tensor([2, 4, 6, 8], [1, 2, 3, 4], [2, 2], [0, 1, 2, 3]))).toBeNull();
  });

  it('appears in the text report of a failing 2-D tensor', () => {
    const report = checkGradients(zooEntry('residual-block').bugs.find((b) => b.name === 'W1-grad-transposed')!.make('float64'));
    expect(formatReport(report)).toContain('W1 [4×4], one character per entry (× wrong, · agrees):\n  0 ·×××\n  1 ×··×\n  2 ×··×\n  3 ×××·');
  });
});

describe('headlines that state what happened', () => {
  it('a failure on problems alone says so instead of "0 of 0 entries disagree"', () => {
    const text = formatReport(checkGradients(new UpstreamMutating()));
    expect(text.split('\n')[0]).toMatch(/^The layer fails the check on a problem although all 18 gradient entries agree/);
    expect(text).not.toMatch(/0 of \d+ gradient entries disagree/);
  });

  it('tied entries wrong together are counted in the headline and listed with their sum and slope', () => {
    const text = formatReport(checkGradients(zooEntry('max-pool-ties').bugs.find((b) => b.name === 'grad-to-every-tied-maximum')!.make('float64')));
    expect(text.split('\n')[0]).toMatch(/^No gradient entry of 16 disagrees alone, but 3 tied groups of entries disagree together, in 1 of 1 tensors/);
    expect(text).toMatch(/input\[0,0,0\] \+ input\[0,1,1\] +analytic together -2\.57  numeric -1\.285  error 1\.285/);
  });

  it('a forward that returns NaN is refused before any check, naming the output entry', () => {
    expect(() => checkGradients(new NaNOutput())).toThrow(/forward\(\) returned NaN at output\[2\]/);
  });
});
