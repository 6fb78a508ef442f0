import type { Dtype } from '../engine/dtype.js';
import { emptyParts, errorBand, mergeParts, partsToNormalizedError } from '../engine/normalized-error.js';
import { autoStep } from '../engine/step-size.js';
import type { ValidatedOptions } from './options.js';
import type { CheckMode, GradientReport, InconclusiveExplanation, Problem, TensorReport } from './report-types.js';
import type { Diagnosis } from './diagnose.js';
import { coverageShortfall, type TensorResult } from './resolution.js';

/** Everything a report is assembled from. */
export interface ReportParts {
  mode: CheckMode;
  tensors: TensorResult[];
  problems: Problem[];
  settings: GradientReport['settings'];
  gradientScale: number;
  inconclusive: InconclusiveExplanation | null;
  diagnoses: Diagnosis[];
  forwardCalls: number;
  backwardCalls: number;
  determinismChecks: number;
}

/**
 * The verdict, from the most to the least decisive evidence: a problem that prevents any verdict,
 * then a wrong gradient, then gradients that could not be resolved. Only what is left passes.
 */
function verdictOf(tensors: TensorReport[], problems: Problem[]): GradientReport['verdict'] {
  if (problems.some((p) => p.severity === 'impossible')) return 'impossible';
  if (problems.some((p) => p.severity === 'failure') || tensors.some((t) => t.failures.length > 0 || t.jointFailures.length > 0)) return 'fail';
  if (tensors.some((t) => !t.pass)) return 'inconclusive';
  return 'pass';
}

/** Entries of a tensor that could not be resolved: single entries, groups not localized, entries not reached, a projection floor too high. */
function unresolvedEntries(tensor: TensorReport, gradientScale: number): number {
  const { coverage } = tensor;
  const floorTooHigh = coverageShortfall({ ...tensor, coverage: { ...coverage, skipped: 0, unlocalized: [] } }, gradientScale) !== null;
  return (
    tensor.inconclusive.length +
    coverage.unlocalized.reduce((n, group) => n + group.entries, 0) +
    coverage.skipped +
    (floorTooHigh ? coverage.screened : 0)
  );
}

export function buildReport(parts: ReportParts): GradientReport {
  const { problems, settings } = parts;
  const tensors: TensorReport[] = parts.tensors.map(({ normParts: _normParts, ...tensor }) => ({
    ...tensor,
    // The explicit opt-in accepts what could not be resolved, never what failed.
    pass: tensor.pass || (settings.allowInconclusive && tensor.failures.length === 0 && tensor.jointFailures.length === 0),
  }));
  for (const problem of problems) {
    const tensor = tensors.find((t) => t.name === problem.tensor);
    if (tensor !== undefined && problem.severity === 'failure') tensor.pass = false;
  }
  const overall = partsToNormalizedError(parts.tensors.reduce((all, tensor) => mergeParts(all, tensor.normParts), emptyParts()));
  const verdict = verdictOf(tensors, problems);
  const inconclusiveCount = tensors.reduce((n, t) => n + unresolvedEntries(t, parts.gradientScale), 0);
  return {
    mode: parts.mode,
    pass: verdict === 'pass',
    verdict,
    normalizedError: overall,
    band: errorBand(overall, settings.dtype),
    tensors,
    problems,
    kinkCount: tensors.reduce((n, t) => n + t.kinks.length, 0),
    negligibleCount: tensors.reduce((n, t) => n + t.negligible, 0),
    inconclusiveCount,
    inconclusive: inconclusiveCount > 0 ? parts.inconclusive : null,
    diagnoses: parts.diagnoses,
    gradientScale: parts.gradientScale,
    absoluteTolerance: settings.tolerance * parts.gradientScale,
    forwardCalls: parts.forwardCalls,
    backwardCalls: parts.backwardCalls,
    determinismChecks: parts.determinismChecks,
    settings,
  };
}

/** Which step and tolerance applied and where they came from, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
export function defaultsNote(dtype: Dtype, options: ValidatedOptions, tolerance: number): string {
  const short = (x: number): string => (x >= 1e-3 && x < 1e4 ? String(x) : x.toExponential().replace('e+', 'e'));
  const epsilon = options.epsilon === 'auto' ? `epsilon auto = ${autoStep(1, dtype).toExponential(1)}·max(1, |θ|)` : `epsilon ${short(options.epsilon)}`;
  const values = `${epsilon}, tolerance ${short(tolerance)}`;
  if (options.epsilon === 'auto' && options.tolerance === undefined) return `${dtype} defaults (${values})`;
  // Each value says where it came from: "tolerance 0.01 (epsilon given)" read as if one set the other.
  const origin = (given: boolean): string => (given ? 'given' : 'default');
  return `${dtype}, ${epsilon} (${origin(options.epsilon !== 'auto')}), tolerance ${short(tolerance)} (${origin(options.tolerance !== undefined)})`;
}
