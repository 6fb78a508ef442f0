import { emptyParts, errorBand, mergeParts, partsToNormalizedError } from '../../engine/normalized-error.js';
import type { CheckContext } from '../context.js';
import type { DiagnosisResult } from '../diagnose/diagnose.js';
import type { CheckMode, GradientReport, InconclusiveExplanation, Problem, TensorReport } from '../report-types.js';
import { unresolvedEntries } from '../resolve/coverage.js';
import type { TensorResult } from '../resolve/resolve.js';
import { reportedPass, verdictOf } from '../resolve/verdict.js';

/** Everything a report is assembled from. */
export interface ReportParts {
  mode: CheckMode;
  tensors: TensorResult[];
  problems: Problem[];
  settings: GradientReport['settings'];
  gradientScale: number;
  gradientScaleFrom: GradientReport['gradientScaleFrom'];
  inconclusive: InconclusiveExplanation | null;
  diagnoses: GradientReport['diagnoses'];
  forwardCalls: number;
  backwardCalls: number;
  determinismChecks: number;
  evaluations: number;
  stop: GradientReport['stop'];
  elapsedSeconds: number;
}

/** What the phases after prepare found; null when the check stopped before a verdict on the gradients. */
export type Findings = DiagnosisResult & { tensors: TensorResult[] };

/** The last phase: the report, as plain data. A check that stopped early reports its problems and no tensors. */
export function assembleReport(check: CheckContext, findings: Findings | null): GradientReport {
  return buildReport({
    mode: check.mode,
    tensors: findings?.tensors ?? [],
    problems: check.problems,
    settings: check.settings,
    gradientScale: findings === null ? 0 : check.sweep.gradientScale,
    gradientScaleFrom: check.gradientScaleFrom,
    inconclusive: findings?.inconclusive ?? null,
    diagnoses: findings?.diagnoses ?? [],
    forwardCalls: check.calls.forward,
    backwardCalls: check.calls.backward,
    determinismChecks: check.evaluation.watch.checks,
    evaluations: check.budget.evaluations,
    stop: check.stop,
    elapsedSeconds: check.budget.elapsed(),
  });
}

export function buildReport(parts: ReportParts): GradientReport {
  const { problems, settings } = parts;
  const tensors: TensorReport[] = parts.tensors.map(({ normParts: _normParts, ...tensor }) => ({
    ...tensor,
    pass: reportedPass(tensor, settings.allowInconclusive, problems),
  }));
  const overall = partsToNormalizedError(parts.tensors.reduce((all, tensor) => mergeParts(all, tensor.normParts), emptyParts()));
  const verdict = verdictOf(tensors, problems);
  const inconclusiveCount = tensors.reduce((n, t) => n + unresolvedEntries(t), 0);
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
    layers: null,
    gradientScale: parts.gradientScale,
    gradientScaleFrom: parts.gradientScaleFrom,
    absoluteTolerance: settings.tolerance * parts.gradientScale,
    forwardCalls: parts.forwardCalls,
    backwardCalls: parts.backwardCalls,
    determinismChecks: parts.determinismChecks,
    evaluations: parts.evaluations,
    stop: parts.stop,
    elapsedSeconds: parts.elapsedSeconds,
    settings,
  };
}
