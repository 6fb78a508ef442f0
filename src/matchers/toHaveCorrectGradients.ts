import { checkGradients } from '../check/check-gradients.js';
import { OptionsError, type GradientCheckOptions } from '../check/options.js';
import type { GradientReport } from '../check/report-types.js';
import { ContainerError } from '../layer/numeric-view.js';
import { LayerProtocolError } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { formatNumber } from '../report/format-number.js';
import { failureDiff, formatReport } from '../report/format-report.js';
import type { MatcherContextLike, MatcherResult } from './matcher-context.js';

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
  return function toHaveCorrectGradients(this: MatcherContextLike, received: unknown, ...args: MatcherArgs): MatcherResult {
    const { utils } = this;
    const isNot = this.isNot === true;
    const hint = utils.matcherHint(NAME, 'layer', expectedLabel(args), { isNot, promise: this.promise });
    const usageError = (what: string, name: string, value: unknown): Error =>
      new TypeError(`${hint}\n\nMatcher error: ${what}\n\n${utils.printWithType(name, value, utils.printReceived)}`);

    let report: GradientReport;
    try {
      report = checkGradients(received as Layer, toOptions(args));
    } catch (error) {
      if (error instanceof OptionsError) {
        const [first, tolerance] = args;
        if (typeof first === 'object' && first !== null) throw usageError(error.message, 'Options', first);
        if (error.message.startsWith('tolerance')) throw usageError(error.message, 'Tolerance', tolerance);
        throw usageError(error.message, 'Epsilon', first);
      }
      if (error instanceof LayerProtocolError || error instanceof ContainerError || error instanceof RangeError) {
        throw usageError(error.message, 'Received', received);
      }
      throw error;
    }

    if (report.verdict === 'impossible' && isNot) {
      // Neither "correct" nor "wrong" can be claimed, so `.not` must not pass either.
      throw new Error(`${hint}\n\n${formatReport(report)}`);
    }
    const pass = report.pass;
    if (pass) {
      return {
        pass,
        message: () =>
          `${hint}\n\nExpected the layer's gradients to disagree with finite differences, but they agree.\n\n` +
          `${agreementSummary(report)}\n\n${formatReport(report)}`,
      };
    }
    const diff = failureDiff(report);
    return {
      pass,
      message: () => {
        const parts = [hint, '', "Expected the layer's backward pass to match central finite differences.", '', formatReport(report)];
        if (settings.diffInMessage && Object.keys(diff.actual).length > 0) {
          const drawn = utils.diff(diff.expected, diff.actual, { aAnnotation: 'Numeric (finite differences)', bAnnotation: 'Analytic (backward)' });
          if (drawn) parts.push('', drawn);
        }
        return parts.join('\n');
      },
      actual: diff.actual,
      expected: diff.expected,
    };
  };
}

function agreementSummary(report: GradientReport): string {
  const worst = report.tensors.reduce((a, b) => (b.normalizedError > a.normalizedError ? b : a));
  return `Worst normalized error ${formatNumber(worst.normalizedError)} in '${worst.name}' (overall ${formatNumber(report.normalizedError)}).`;
}
