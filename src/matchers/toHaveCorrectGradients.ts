import { runGradientCheck } from '../check/check-gradients.js';
import { isThenable } from '../layer/promise.js';
import { OptionsError, type GradientCheckOptions } from '../check/options.js';
import type { GradientReport } from '../check/report-types.js';
import { ContainerError } from '../layer/numeric-view.js';
import { InputError } from '../layer/input.js';
import { LayerProtocolError } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { writeCiReport } from '../report/ci-report.js';
import { formatNumber } from '../report/format-number.js';
import { diffLines, failureDiff, formatReport } from '../report/format-report.js';
import { plainUtils, type MatcherContextLike, type MatcherResult } from './matcher-context.js';
import { summarizeReceived } from './received-summary.js';

const NAME = 'toHaveCorrectGradients';

export interface MatcherSettings {
  /** Jest shows no diff from `actual`/`expected`, so under Jest the diff goes into the message. */
  diffInMessage: boolean;
}

type MatcherArgs = [epsilonOrOptions?: number | 'auto' | GradientCheckOptions, tolerance?: number];

function expectedLabel(args: MatcherArgs): string {
  if (args[0] === undefined && args[1] === undefined) return '';
  if (typeof args[0] === 'object' && args[0] !== null) return 'options';
  return args[1] === undefined ? 'epsilon' : 'epsilon, tolerance';
}

/** Turns the matcher's two call forms into one options object, or explains what was wrong. */
function toOptions(args: MatcherArgs): GradientCheckOptions {
  const [first, tolerance] = args;
  if (first !== null && typeof first === 'object') {
    if (tolerance !== undefined) {
      throw new OptionsError('With an options object, pass tolerance inside it: toHaveCorrectGradients({ tolerance }).');
    }
    return first;
  }
  const options: GradientCheckOptions = {};
  if (first !== undefined) options.epsilon = first as number | 'auto';
  if (tolerance !== undefined) options.tolerance = tolerance;
  return options;
}

/** Builds the matcher; `settings` differ only in where the diff is drawn. */
export function createToHaveCorrectGradients(settings: MatcherSettings) {
  return function toHaveCorrectGradients(
    this: MatcherContextLike,
    received: unknown,
    ...args: MatcherArgs
  ): MatcherResult | Promise<MatcherResult> {
    const context: MatcherContextLike = this ?? { utils: plainUtils };
    const utils = context.utils ?? plainUtils;
    const isNot = context.isNot === true;
    const hint = utils.matcherHint(NAME, 'layer', expectedLabel(args), { isNot, promise: context.promise });
    const summary = (value: unknown): string => summarizeReceived(value, utils.printReceived, utils.RECEIVED_COLOR);
    const resultFor = (report: GradientReport): MatcherResult => {
      writeCiReport(report, { testName: context.currentTestName, testPath: context.testPath });
      return resultForReport(report, { hint, isNot, utils });
    };
    const usageError = (what: string, name: string, value: unknown): Error =>
      new TypeError(`${hint}\n\nMatcher error: ${what}\n\n${utils.printWithType(name, value, summary)}`);
    /** Usage errors become matcher errors; the layer's own errors (and a layer the check could not put back) pass through untouched, stack and all. */
    const translate = (error: unknown): unknown => {
      if (error instanceof OptionsError) {
        const [first, tolerance] = args;
        if (typeof first === 'object' && first !== null) return usageError(error.message, 'Options', first);
        if (error.message.startsWith('tolerance')) return usageError(error.message, 'Tolerance', tolerance);
        return usageError(error.message, 'Epsilon', first);
      }
      if (error instanceof InputError) {
        const options = args[0];
        const given = typeof options === 'object' && options !== null && 'input' in options;
        return usageError(error.message, given ? 'Input' : 'Received', given ? options.input : received);
      }
      if (error instanceof LayerProtocolError || error instanceof ContainerError) return usageError(error.message, 'Received', received);
      return error;
    };

    let outcome: GradientReport | Promise<GradientReport>;
    try {
      outcome = runGradientCheck(received as Layer, toOptions(args));
    } catch (error) {
      throw translate(error);
    }
    // An async layer makes an async matcher (`await expect(layer).toHaveCorrectGradients()`); a sync one stays sync.
    if (isThenable(outcome)) {
      return Promise.resolve(outcome).then(
        (report) => resultFor(report),
        (error: unknown) => {
          throw translate(error);
        },
      );
    }
    return resultFor(outcome);
  };

  /** What the runner gets for a finished check; throws when neither pass nor fail can be claimed under `.not`. */
  function resultForReport(report: GradientReport, presentation: Presentation): MatcherResult {
    const { hint, isNot, utils } = presentation;
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
    const diff = failureDiff(report);
    const shown = diff.actual.size;
    const actual = diffLines(diff.actual);
    const expected = diffLines(diff.expected);
    return {
      pass: false,
      message: () => {
        const parts = [hint, '', verdictSentence(report, false), '', formatReport(report)];
        const failing = report.tensors.reduce((n, t) => n + t.failures.length + t.jointFailures.length, 0);
        if (shown > 0 && shown < failing) parts.push('', `The diff shows the ${shown} worst of the ${failing} failing entries.`);
        if (settings.diffInMessage && shown > 0) {
          // With a declared convention the values compared (and drawn) are backward's divided by it.
          const declared = report.tensors.some((tensor) => tensor.gradientFactor !== 1);
          const analyticAnnotation = declared ? 'Analytic (backward ÷ gradientFactor)' : 'Analytic (backward)';
          const drawn = utils.diff(expected, actual, { aAnnotation: 'Numeric (finite differences)', bAnnotation: analyticAnnotation });
          if (drawn) parts.push('', drawn);
        }
        return parts.join('\n');
      },
      // Without failing entries (a nondeterministic forward, a problem) there is nothing to diff, and an
      // empty pair would make the runner print "Compared values have no visual difference".
      ...(shown > 0 ? { actual, expected } : {}),
    };
  }
}

/** How a result is worded: the hint line, `.not`, and the runner's printing helpers. */
interface Presentation {
  hint: string;
  isNot: boolean;
  utils: MatcherContextLike['utils'];
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
