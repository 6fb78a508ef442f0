import { runGradientCheck } from '../check/check-gradients.js';
import { OptionsError, type GradientCheckOptions } from '../check/options.js';
import type { GradientReport } from '../check/report-types.js';
import type { Layer } from '../layer/protocol.js';
import { writeCiReport } from '../report/ci-report.js';
import { checkOrigin } from './check-origin.js';
import { plainUtils, type MatcherContextLike, type MatcherResult } from './matcher-context.js';
import { resultForReport } from './matcher-result.js';
import { matcherUtils, settle } from './matcher-run.js';
import { translateError, type CallShown } from './usage-error.js';

const NAME = 'toHaveCorrectGradients';

export interface MatcherSettings {
  /** Jest shows no diff from `actual`/`expected`, so under Jest the diff goes into the message. */
  diffInMessage: boolean;
  /**
   * Vitest: messages without colour codes (see plain-text.ts): its JUnit reporter would leave their
   * remains in the XML. Jest's own messages are coloured, and jest-junit strips colours itself.
   */
  plainText: boolean;
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
    const utils = matcherUtils(context, settings.plainText);
    const isNot = context.isNot === true;
    const label = expectedLabel(args);
    const hint = utils.matcherHint(NAME, 'layer', label, { isNot, promise: context.promise });
    const call: CallShown = { hint, utils, received, first: args[0], tolerance: args[1] };
    // Taken now: an async check ends after its call has left the stack.
    const origin = checkOrigin(context, isNot, toHaveCorrectGradients);
    let outcome: GradientReport | Promise<GradientReport>;
    try {
      outcome = runGradientCheck(received as Layer, toOptions(args));
    } catch (error) {
      throw translateError(error, call);
    }
    // An async layer makes an async matcher (`await expect(layer).toHaveCorrectGradients()`); a sync one stays sync.
    return settle(
      outcome,
      {
        finish: (report) => {
          // Never throws: a report that cannot be written is a warning, and the verdict stays the check's.
          writeCiReport(report, origin);
          return resultForReport(report, { hint, isNot, utils, diffInMessage: settings.diffInMessage });
        },
        translate: (error) => translateError(error, call),
      },
      { context, isNot, hint, call: { received: 'layer', name: NAME, args: label }, matcher: toHaveCorrectGradients },
    );
  };
}
