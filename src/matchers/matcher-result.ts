import type { GradientReport } from '../check/report-types.js';
import { formatNumber } from '../engine/format-number.js';
import { diffLines, failureDiff, formatReport } from '../report/format-report.js';
import type { MatcherContextLike, MatcherResult } from './matcher-context.js';

/** How a result is worded: the hint line, `.not`, the runner's printing helpers, and where the diff goes. */
export interface Presentation {
  hint: string;
  isNot: boolean;
  utils: MatcherContextLike['utils'];
  /** Jest shows no diff from `actual`/`expected`, so under Jest the diff goes into the message. */
  diffInMessage: boolean;
}

/** The sentence under the hint line: what was expected, and for an unreached verdict why none was given. */
function verdictSentence(report: GradientReport, isNot: boolean): string {
  const expected = isNot
    ? "Expected the layer's gradients to disagree with finite differences"
    : "Expected the layer's backward pass to match central finite differences";
  if (report.verdict === 'inconclusive') {
    return `${expected}, but the check could not resolve every significant gradient, so it can claim neither.`;
  }
  if (report.verdict === 'impossible') return `${expected}, but no verdict could be reached.`;
  return `${expected}.`;
}

function agreementSummary(report: GradientReport): string {
  const worst = report.tensors.reduce((a, b) => (b.normalizedError > a.normalizedError ? b : a));
  return `Worst normalized error ${formatNumber(worst.normalizedError)} in '${worst.name}' (overall ${formatNumber(report.normalizedError)}).`;
}

/** The failure message: hint, verdict, report, and (for Jest) the drawn diff of the worst entries. */
function failureMessage(report: GradientReport, presentation: Presentation, diff: { actual: string; expected: string; shown: number }): string {
  const parts = [presentation.hint, '', verdictSentence(report, false), '', formatReport(report)];
  const failing = report.tensors.reduce((n, t) => n + t.failures.length + t.jointFailures.length, 0);
  if (diff.shown > 0 && diff.shown < failing) parts.push('', `The diff shows the ${diff.shown} worst of the ${failing} failing entries.`);
  if (presentation.diffInMessage && diff.shown > 0) {
    // With a declared convention the values compared (and drawn) are backward's divided by it.
    const declared = report.tensors.some((tensor) => tensor.gradientFactor !== 1);
    const analyticAnnotation = declared ? 'Analytic (backward ÷ gradientFactor)' : 'Analytic (backward)';
    const drawn = presentation.utils.diff(diff.expected, diff.actual, { aAnnotation: 'Numeric (finite differences)', bAnnotation: analyticAnnotation });
    if (drawn) parts.push('', drawn);
  }
  return parts.join('\n');
}

/** What the runner gets for a finished check; throws when neither pass nor fail can be claimed under `.not`. */
export function resultForReport(report: GradientReport, presentation: Presentation): MatcherResult {
  const { hint, isNot } = presentation;
  if ((report.verdict === 'impossible' || report.verdict === 'inconclusive') && isNot) {
    // Neither "correct" nor "wrong" can be claimed, so `.not` must not pass either.
    throw new Error(`${hint}\n\n${verdictSentence(report, true)}\n\n${formatReport(report)}`);
  }
  if (report.pass) {
    return {
      pass: true,
      message: () =>
        `${hint}\n\nExpected the layer's gradients to disagree with finite differences, but they agree.\n\n` +
        `${agreementSummary(report)}\n\n${formatReport(report)}`,
    };
  }
  const failing = failureDiff(report);
  const diff = { actual: diffLines(failing.actual), expected: diffLines(failing.expected), shown: failing.actual.size };
  return {
    pass: false,
    message: () => failureMessage(report, presentation, diff),
    // Without failing entries (a nondeterministic forward, a problem) there is nothing to diff, and an
    // empty pair would make the runner print "Compared values have no visual difference".
    ...(diff.shown > 0 ? { actual: diff.actual, expected: diff.expected } : {}),
  };
}
