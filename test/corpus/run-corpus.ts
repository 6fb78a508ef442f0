/**
 * The detection-power corpus: every zoo layer, correct and buggy, in float64 and float32, checked
 * with default options. Shared by `npm run corpus` (prints a table) and the corpus test (asserts).
 */
import { checkGradients } from '../../src/check/check-gradients.js';
import type { GradientReport } from '../../src/check/report-types.js';
import type { GradientCheckOptions } from '../../src/check/options.js';
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../zoo/types.js';

export interface CorpusRow {
  layer: string;
  /** `correct`, or the bug variant's name. */
  variant: string;
  dtype: Dtype;
  nasty: boolean;
  expected: 'pass' | 'fail';
  verdict: GradientReport['verdict'];
  /** Worst tensor normalized error. */
  worstError: number;
  /** Some gradient of the layer was resolved (else its normalized error is the finite differences' noise alone). */
  anyResolved: boolean;
  /**
   * Every failure is a tied group's (routing to every tied maximum): each entry alone is valid, so the
   * normalized error is 0 up to rounding and says nothing about how mild the bug is.
   */
  jointOnly: boolean;
  /** Largest per-entry error estimate of the finite differences. */
  errorEstimate: number;
  /** Tensors the report blamed (failures or problems). */
  blamed: string[];
  /** Tensors the bug really breaks. */
  wrongTensors: string[];
  /** For bugs: clearly wrong entries the report missed, and correct entries it blamed. */
  missedEntries: string[];
  innocentEntries: string[];
  /** The report's diagnoses, as `tensor:kind`; a correct layer must have none. */
  diagnoses: string[];
  /** For a sequence: the layers the report named wrong, and the ones the bug breaks. */
  wrongLayers: { named: number[]; want: number[] } | null;
  /** Counts in the report that do not add up (see `countErrors`); must be empty. */
  countErrors: string[];
  /** The verdict, the blamed tensors and the blamed entries are all right, the counts add up (and a correct layer gets no diagnosis). */
  ok: boolean;
  millis: number;
}

const maxOf = (values: Iterable<number>): number => {
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  return max;
};

function blamedTensors(report: GradientReport): string[] {
  const names = new Set(report.tensors.filter((t) => t.failures.length > 0 || t.jointFailures.length > 0).map((t) => t.name));
  for (const problem of report.problems) if (problem.tensor !== undefined) names.add(problem.tensor);
  return [...names].sort();
}

function timed(make: () => Layer, seed: number | undefined, options: GradientCheckOptions = {}): { report: GradientReport; millis: number } {
  const layer = make();
  const start = performance.now();
  const report = checkGradients(layer, seed === undefined ? options : { ...options, seed });
  return { report, millis: performance.now() - start };
}

/**
 * What "clearly wrong" means per dtype: a relative change the defaults must resolve, and a floor
 * (relative to the tensor's largest gradient) below which float32 rounding hides any change.
 */
const CLEARLY_WRONG: Record<Dtype, { relative: number; floor: number }> = {
  float64: { relative: 1e-5, floor: 1e-6 },
  float32: { relative: 5e-2, floor: 1e-2 },
};

/**
 * Entries a bug clearly changed must all be reported, except at kinks where the changed value is
 * still a valid subgradient; entries it left exactly as the correct layer computes them must not be.
 */
function entryOracle(buggy: GradientReport, correct: GradientReport, wrongTensors: string[], dtype: Dtype): { missed: string[]; innocent: string[] } {
  const { relative, floor } = CLEARLY_WRONG[dtype];
  const missed: string[] = [];
  const innocent: string[] = [];
  for (const tensor of buggy.tensors) {
    const reference = correct.tensors.find((t) => t.name === tensor.name);
    if (reference === undefined) continue;
    const scale = maxOf(Array.from(reference.analytic, Math.abs));
    const failing = new Set(tensor.failures.map((f) => f.index));
    // A failing tied group is judged as a whole and blames its members; it lists the first of them
    // by position, so a member of a larger group counts as blamed through it.
    const inFailingGroup = (i: number): boolean => tensor.jointFailures.some((g) => g.size > g.entries.length || g.entries.some((e) => e.index === i));
    const acceptedKinks = new Set(tensor.kinks.map((k) => k.index));
    const correctKinks = new Set(reference.kinks.map((k) => k.index));
    const linearityBlamed = buggy.problems.some((p) => p.tensor === tensor.name);
    for (let i = 0; i < tensor.size; i++) {
      const difference = Math.abs(tensor.analytic[i] - reference.analytic[i]);
      // A change must also exceed the finite difference's own error bar to be resolvable: in
      // float32 often, in float64 on gradients a million times smaller than the layer's largest.
      // At a float64 kink the verdict rests on the one-sided slopes, not on that (inflated) bar.
      const resolvable = (dtype === 'float64' && correctKinks.has(i)) || difference > 2 * reference.errorEstimate[i];
      const clearlyWrong =
        difference > relative * Math.max(Math.abs(reference.analytic[i]), floor * scale) && resolvable && !acceptedKinks.has(i);
      const untouched = difference <= 1e-12 * Math.max(Math.abs(reference.analytic[i]), scale);
      const label = `${tensor.name}#${i}`;
      if (clearlyWrong && !failing.has(i) && !inFailingGroup(i) && !linearityBlamed && wrongTensors.includes(tensor.name)) missed.push(label);
      if (untouched && failing.has(i)) innocent.push(label);
    }
  }
  return { missed, innocent };
}

/**
 * The report's counts must add up, as its headline prints them: no tensor fails more entries than
 * it has (or one twice, or one outside it), a tensor with failures does not pass, a failing verdict
 * with failing entries names a failing tensor, and unresolved entries fit in the tensors.
 */
export function countErrors(report: GradientReport): string[] {
  const errors: string[] = [];
  let failing = 0;
  let total = 0;
  for (const t of report.tensors) {
    const indices = new Set(t.failures.map((f) => f.index));
    failing += t.failures.length;
    total += t.size;
    if (indices.size !== t.failures.length) errors.push(`${t.name}: an entry fails twice`);
    if (t.failures.some((f) => !(f.index >= 0 && f.index < t.size))) errors.push(`${t.name}: a failing entry outside the tensor`);
    if (t.coverage.measured > t.size || t.coverage.inScope > t.size) errors.push(`${t.name}: more entries measured or in scope than it has`);
    if ((t.failures.length > 0 || t.jointFailures.length > 0) && t.pass) errors.push(`${t.name}: failures in a passing tensor`);
  }
  if (failing > total) errors.push(`${failing} of ${total} entries fail`);
  if (failing > 0 && report.tensors.every((t) => t.pass)) errors.push(`${failing} failing entries in no failing tensor`);
  if (report.inconclusiveCount > total) errors.push(`${report.inconclusiveCount} of ${total} entries unresolved`);
  if ((report.verdict === 'pass') !== report.pass) errors.push(`verdict ${report.verdict} with pass ${report.pass}`);
  return errors;
}

/** The layers of a sequence the report named wrong (each checked on its own). */
const namedLayers = (report: GradientReport): number[] => (report.layers ?? []).filter((layer) => layer.verdict === 'fail').map((layer) => layer.index);

const diagnosisLabels = (report: GradientReport): string[] => report.diagnoses.map((d) => `${d.tensor}:${d.kind}`);

/** Every case of one zoo entry; `seed` replaces the default projection seed (42). */
export function runEntry(entry: ZooEntry, dtypes: Dtype[] = ['float64', 'float32'], seed?: number): CorpusRow[] {
  const rows: CorpusRow[] = [];
  for (const dtype of dtypes.filter((d) => entry.dtypes === undefined || entry.dtypes.includes(d))) {
    const correct = timed(() => entry.make(dtype), seed, entry.options);
    const correctBlamed = blamedTensors(correct.report);
    rows.push({
      layer: entry.name,
      variant: 'correct',
      dtype,
      nasty: entry.nasty === true,
      expected: 'pass',
      verdict: correct.report.verdict,
      worstError: maxOf(correct.report.tensors.map((t) => t.normalizedError)),
      anyResolved: correct.report.gradientScaleFrom === 'gradients',
      jointOnly: false,
      errorEstimate: maxOf(correct.report.tensors.flatMap((t) => Array.from(t.errorEstimate))),
      blamed: correctBlamed,
      wrongTensors: [],
      missedEntries: [],
      innocentEntries: [],
      diagnoses: diagnosisLabels(correct.report),
      countErrors: countErrors(correct.report),
      wrongLayers: null,
      ok: correct.report.pass && correct.report.diagnoses.length === 0 && countErrors(correct.report).length === 0,
      millis: correct.millis,
    });
    for (const bug of entry.bugs) {
      if (dtype === 'float32' && bug.float64Only === true) continue;
      const buggy = timed(() => bug.make(dtype), seed, entry.options);
      const blamed = blamedTensors(buggy.report);
      const wrongTensors = [...bug.wrongTensors].sort();
      const { missed, innocent } = entryOracle(buggy.report, correct.report, wrongTensors, dtype);
      rows.push({
        layer: entry.name,
        variant: bug.name,
        dtype,
        nasty: entry.nasty === true,
        expected: 'fail',
        verdict: buggy.report.verdict,
        worstError: maxOf(buggy.report.tensors.map((t) => t.normalizedError)),
        anyResolved: buggy.report.gradientScaleFrom === 'gradients',
        jointOnly: buggy.report.tensors.every((t) => t.failures.length === 0) && buggy.report.tensors.some((t) => t.jointFailures.length > 0),
        errorEstimate: maxOf(buggy.report.tensors.flatMap((t) => t.failures.map((f) => f.errorEstimate))),
        blamed,
        wrongTensors,
        missedEntries: missed,
        innocentEntries: innocent,
        diagnoses: diagnosisLabels(buggy.report),
        countErrors: countErrors(buggy.report),
        wrongLayers: bug.wrongLayers === undefined ? null : { named: namedLayers(buggy.report), want: bug.wrongLayers },
        ok:
          (bug.wrongLayers === undefined || JSON.stringify(namedLayers(buggy.report)) === JSON.stringify(bug.wrongLayers)) &&
          countErrors(buggy.report).length === 0 &&
          buggy.report.verdict === 'fail' &&
          JSON.stringify(blamed) === JSON.stringify(wrongTensors) &&
          missed.length === 0 &&
          innocent.length === 0,
        millis: buggy.millis,
      });
    }
  }
  return rows;
}

export interface CorpusSummary {
  detected: number;
  bugs: number;
  falseAlarms: number;
  correctCases: number;
  /** Worst normalized error over correct float64 cases with some gradient resolved, and the case it came from. */
  worstCorrectFloat64: number;
  worstCorrectFloat64Case: string;
  /** Mildest bug (smallest worst normalized error) that was detected, per dtype; bugs seen only jointly left out. */
  mildestDetected: Record<Dtype, number>;
}

export function summarize(rows: CorpusRow[]): CorpusSummary {
  const bugRows = rows.filter((r) => r.expected === 'fail');
  const correctRows = rows.filter((r) => r.expected === 'pass');
  // A layer with no resolved gradient (saturated everywhere) has a normalized error of noise alone.
  const worstCorrect = correctRows
    .filter((r) => r.dtype === 'float64' && r.anyResolved)
    .reduce((worst, row) => (row.worstError > worst.worstError ? row : worst));
  const mildest = (dtype: Dtype): number =>
    // Bugs seen only jointly (every tied maximum routed) leave each entry valid: their normalized error
    // is 0 up to rounding (1.5e-17 for a row-wise sort), whatever the bug.
    Math.min(...bugRows.filter((r) => r.dtype === dtype && r.ok && !r.jointOnly).map((r) => r.worstError));
  return {
    detected: bugRows.filter((r) => r.ok).length,
    bugs: bugRows.length,
    falseAlarms: correctRows.filter((r) => !r.ok).length,
    correctCases: correctRows.length,
    worstCorrectFloat64: worstCorrect.worstError,
    worstCorrectFloat64Case: worstCorrect.layer,
    mildestDetected: { float64: mildest('float64'), float32: mildest('float32') },
  };
}

/** The closing lines of `npm run corpus`, which docs/corpus.md quotes (the corpus test holds it to them). */
export function summaryLines(summary: CorpusSummary): string[] {
  return [
    `worst normalized error of a correct float64 case: ${summary.worstCorrectFloat64.toExponential(2)} (${summary.worstCorrectFloat64Case})`,
    `mildest detected bug (worst normalized error): float64 ${summary.mildestDetected.float64.toExponential(2)}, float32 ${summary.mildestDetected.float32.toExponential(2)}`,
    `detected ${summary.detected}/${summary.bugs} bugs, false alarms ${summary.falseAlarms}/${summary.correctCases} correct cases`,
  ];
}
