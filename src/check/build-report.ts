import type { Dtype } from '../engine/dtype.js';
import { errorBand, normalizedError } from '../engine/normalized-error.js';
import { autoStep } from '../engine/step-size.js';
import type { ValidatedOptions } from './options.js';
import type { GradientReport, InconclusiveExplanation, Problem, TensorReport } from './report-types.js';
import type { TensorResult } from './resolution.js';

/** Everything a report is assembled from. */
export interface ReportParts {
  tensors: TensorResult[];
  problems: Problem[];
  settings: GradientReport['settings'];
  gradientScale: number;
  absoluteTolerance: number;
  inconclusive: InconclusiveExplanation | null;
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
  if (problems.some((p) => p.severity === 'failure') || tensors.some((t) => t.failures.length > 0)) return 'fail';
  if (tensors.some((t) => !t.pass)) return 'inconclusive';
  return 'pass';
}

export function buildReport(parts: ReportParts): GradientReport {
  const { problems, settings } = parts;
  const tensors: TensorReport[] = parts.tensors.map(({ reference: _reference, finiteAnalytic: _finiteAnalytic, ...tensor }) => ({
    ...tensor,
    pass: tensor.failures.length === 0 && (tensor.inconclusive.length === 0 || settings.allowInconclusive),
  }));
  for (const problem of problems) {
    const tensor = tensors.find((t) => t.name === problem.tensor);
    if (tensor !== undefined && problem.severity === 'failure') tensor.pass = false;
  }
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const allReference = new Float64Array(total);
  const allAnalytic = new Float64Array(total);
  let offset = 0;
  for (const tensor of parts.tensors) {
    allReference.set(tensor.reference, offset);
    allAnalytic.set(tensor.finiteAnalytic, offset);
    offset += tensor.size;
  }
  const overall = normalizedError(allReference, allAnalytic, total);
  const verdict = verdictOf(tensors, problems);
  const inconclusiveCount = tensors.reduce((n, t) => n + t.inconclusive.length, 0);
  return {
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
    gradientScale: parts.gradientScale,
    absoluteTolerance: parts.absoluteTolerance,
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
