import { isThenable } from '../layer/promise.js';
import { completeUtils, type MatcherContextLike, type MatcherResult, type MatcherUtilsLike } from './matcher-context.js';
import { pendingChecks } from './pending-checks.js';
import { withoutColour } from './plain-text.js';

/**
 * What the two matchers share around their own work: the runner's helpers as they use them, the
 * call as it should have been awaited, and settling a sync or async outcome.
 */

/** The runner's helpers, completed where it lacks some (Bun), and without colour when asked (Vitest, see plain-text.ts). */
export function matcherUtils(context: MatcherContextLike, plainText: boolean): MatcherUtilsLike {
  const utils = completeUtils(context.utils);
  return plainText ? withoutColour(utils) : utils;
}

/** A matcher call as written: `expect(layer).toHaveCorrectGradients(epsilon)` is `{ received: 'layer', name, args: 'epsilon' }`. */
export interface CallShape {
  received: string;
  name: string;
  args: string;
}

/** The call as it should have been written, for the message that says an `await` is missing. */
export function awaitedCall(context: MatcherContextLike, isNot: boolean, call: CallShape): string {
  const soft = context.soft === true ? '.soft' : '';
  const promise = context.promise ? `.${context.promise}` : '';
  return `await expect${soft}(${call.received})${promise}${isNot ? '.not' : ''}.${call.name}(${call.args})`;
}

/** How a matcher turns its outcome into the runner's result, and an error into the one to show. */
export interface Settling<T> {
  finish(done: T): MatcherResult;
  translate(error: unknown): unknown;
}

/** The call, for the check of a missing `await`. */
export interface PendingCall {
  context: MatcherContextLike;
  isNot: boolean;
  hint: string;
  call: CallShape;
  /** The matcher function: the stack of the call site starts at its caller, the line to fix. */
  matcher: (...args: never[]) => unknown;
}

/**
 * A sync outcome's result at once; an async one's as a Promise, tracked so that a test which does
 * not await it fails (see pending-checks.ts). Called from the matcher itself, so the call site made
 * here still reaches the test's line.
 */
export function settle<T>(outcome: T | PromiseLike<T>, settling: Settling<T>, pending: PendingCall): MatcherResult | Promise<MatcherResult> {
  if (!isThenable(outcome)) return settling.finish(outcome as T);
  const callSite = new Error();
  Error.captureStackTrace?.(callSite, pending.matcher);
  const result = Promise.resolve(outcome).then(
    (done) => settling.finish(done),
    (error: unknown) => {
      throw settling.translate(error);
    },
  );
  const { context, isNot, hint } = pending;
  return pendingChecks.track(result, { task: context.task, hint, awaitedCall: awaitedCall(context, isNot, pending.call), isNot, soft: context.soft === true, callSite });
}
