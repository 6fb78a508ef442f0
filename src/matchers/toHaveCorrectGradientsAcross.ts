import type { AcrossOptions, AcrossResult } from '../across/across-types.js';
import { runGradientSearch } from '../across/check-across.js';
import { AcrossUsageError } from '../across/run-config.js';
import { OptionsError } from '../check/options.js';
import { diffLines, failureDiff } from '../report/format-report.js';
import { writeAcrossCiReport } from '../report/ci-report.js';
import { formatAcrossReport } from '../report/format-across.js';
import { checkOrigin } from './check-origin.js';
import { plainUtils, type MatcherContextLike, type MatcherResult } from './matcher-context.js';
import type { MatcherSettings } from './toHaveCorrectGradients.js';
import { matcherUtils, settle } from './matcher-run.js';
import { summarizeReceived } from './received-summary.js';

const NAME = 'toHaveCorrectGradientsAcross';

interface Shown {
  hint: string;
  isNot: boolean;
  utils: MatcherContextLike['utils'];
  diffInMessage: boolean;
}

function unreachedError(result: AcrossResult, shown: Shown): Error {
  return new Error(`${shown.hint}\n\nExpected some configuration to fail, but the search reached no verdict, so it can claim neither.\n\n${formatAcrossReport(result)}`);
}

/** What the runner gets for a finished search: the counterexample leads, and its failing entries make the diff. */
function resultForSearch(result: AcrossResult, shown: Shown): MatcherResult {
  const { hint, isNot, utils } = shown;
  if ((result.verdict === 'inconclusive' || result.verdict === 'impossible') && isNot) throw unreachedError(result, shown);
  if (result.pass) {
    return { pass: true, message: () => `${hint}\n\nExpected some configuration's gradients to disagree with finite differences, but every one checked agrees.\n\n${formatAcrossReport(result)}` };
  }
  const report = result.counterexample?.report ?? null;
  const failing = report === null ? null : failureDiff(report);
  const diff = failing === null || failing.actual.size === 0 ? null : { actual: diffLines(failing.actual), expected: diffLines(failing.expected) };
  const sentence =
    result.verdict === 'fail'
      ? "Expected the layer's backward pass to match central finite differences at every configuration."
      : "Expected the layer's backward pass to match central finite differences at every configuration, but the search could not claim it.";
  const parts = [hint, '', sentence, '', formatAcrossReport(result)];
  if (shown.diffInMessage && diff !== null) {
    const drawn = utils.diff(diff.expected, diff.actual, { aAnnotation: 'Numeric (finite differences)', bAnnotation: 'Analytic (backward)' });
    if (drawn) parts.push('', drawn);
  }
  return { pass: false, message: () => parts.join('\n'), ...(diff === null ? {} : diff) };
}

/** Usage errors as matcher errors naming the value at fault (the builder, the space or the options). */
function translate(error: unknown, shown: Shown, received: unknown, space: unknown, options: unknown): unknown {
  if (!(error instanceof OptionsError || error instanceof AcrossUsageError)) return error;
  const { utils } = shown;
  const [name, value] = /^The first argument/.test(error.message) ? ['Received', received] : /space/i.test(error.message) && !/^At /.test(error.message) ? ['Space', space] : ['Options', options];
  const summary = (v: unknown): string => summarizeReceived(v, utils.printReceived, utils.RECEIVED_COLOR);
  return new TypeError(`${shown.hint}\n\nMatcher error: ${error.message}\n\n${utils.printWithType(name, value, summary)}`);
}

/** Builds `toHaveCorrectGradientsAcross(space, options?)`: `expect(build)` where `build(config)` returns the layer. */
export function createToHaveCorrectGradientsAcross(settings: MatcherSettings) {
  return function toHaveCorrectGradientsAcross(this: MatcherContextLike, received: unknown, space: unknown, options?: AcrossOptions): MatcherResult | Promise<MatcherResult> {
    const context: MatcherContextLike = this ?? { utils: plainUtils };
    const utils = matcherUtils(context, settings.plainText);
    const isNot = context.isNot === true;
    const label = options === undefined ? 'space' : 'space, options';
    const hint = utils.matcherHint(NAME, 'build', label, { isNot, promise: context.promise });
    const shown: Shown = { hint, isNot, utils, diffInMessage: settings.diffInMessage };
    // Taken now: an async search ends after its call has left the stack.
    const origin = checkOrigin(context, isNot, toHaveCorrectGradientsAcross);
    let outcome: AcrossResult | Promise<AcrossResult>;
    try {
      outcome = runGradientSearch(received as never, space as never, options);
    } catch (error) {
      throw translate(error, shown, received, space, options);
    }
    return settle(
      outcome,
      {
        finish: (result) => {
          // Never throws: a report that cannot be written is a warning, and the verdict stays the search's.
          writeAcrossCiReport(result, origin);
          return resultForSearch(result, shown);
        },
        translate: (error) => translate(error, shown, received, space, options),
      },
      { context, isNot, hint, call: { received: 'build', name: NAME, args: label }, matcher: toHaveCorrectGradientsAcross },
    );
  };
}
