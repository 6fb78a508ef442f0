/**
 * The async checks of the tests now running, so that a check the test did not await fails that
 * test instead of passing unseen. The matcher records each async check here (`track`); a
 * runner hook opens each test (`begin`) and, when it has run, asks for the error to fail it with
 * (`end`). Nothing here knows a runner: the hooks are registered by `failUnawaitedChecks`
 * (unawaited-hook.ts), which the setup entries call.
 */
import type { MatcherResult } from './matcher-context.js';
import { unawaitedCheckError, type UnawaitedCheck } from './unawaited-message.js';
import { watchAwaiting } from './watch-awaiting.js';

/**
 * How long the end of a test waits for an unawaited check still running, so that its layer is
 * put back before the next test. A check normally ends within its own time budget (`maxSeconds`);
 * this bounds one that does not (an explicit mode, a layer call that never answers).
 */
export const UNAWAITED_WAIT_SECONDS = 60;

/** What the matcher knows of one async call, for attributing it and for the message. */
export interface AsyncCheckCall {
  /** The running test as the runner names it in the matcher's `this` (Vitest 4 and 5: `task`). */
  task?: unknown;
  hint: string;
  /** The call as it should have been written: `await expect(layer).not.toHaveCorrectGradients()`. */
  awaitedCall: string;
  isNot: boolean;
  /** Vitest's `expect.soft`, which reports a failure of its own. */
  soft: boolean;
  /** An Error made at the call, whose stack points at the line to fix. */
  callSite: Error;
}

interface TrackedCheck extends UnawaitedCheck {
  call: AsyncCheckCall;
  taken: boolean;
  awaited: boolean;
  /** Resolves (never rejects) when the check has settled. */
  settled: Promise<void>;
}

interface OpenTest {
  checks: TrackedCheck[];
}

const isObject = (value: unknown): value is object => (typeof value === 'object' || typeof value === 'function') && value !== null;

// Taken at load, before a test can install fake timers (a fake one would never fire, or never be cleared).
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

/** Resolves after all of `checks` settled or `seconds` passed, whichever is first; leaves no timer behind. */
function settledWithin(checks: TrackedCheck[], seconds: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<void>((resolve) => {
    timer = realSetTimeout(resolve, seconds * 1000);
  });
  return Promise.race([Promise.all(checks.map((check) => check.settled)), expiry]).then(() => realClearTimeout(timer));
}

/** The open tests and the async checks each has made. */
export class PendingChecks {
  private readonly openTests = new Map<object, OpenTest>();

  /** Opens a test: async checks made until `end(key)` belong to it. Opening an open test again changes nothing. */
  begin(key: object): void {
    if (!this.openTests.has(key)) this.openTests.set(key, { checks: [] });
  }

  /**
   * The open test a call belongs to: its `task` when the runner names one (exactly, or none);
   * else the only open test (Jest, node:test and Vitest 3 run a file's tests one at a time, except
   * Vitest's concurrent ones, whose matchers Vitest 3 does not tell apart). None outside tests
   * (beforeAll, module scope) or among several: such a check is left to the runner as before.
   */
  private testOf(call: AsyncCheckCall): OpenTest | undefined {
    if (isObject(call.task)) return this.openTests.get(call.task);
    return this.openTests.size === 1 ? this.openTests.values().next().value : undefined;
  }

  /**
   * The matcher's Promise for an async check, watched: if its test ends without having awaited
   * it, `end` says so. Outside any open test the Promise is returned untouched.
   */
  track(result: Promise<MatcherResult>, call: AsyncCheckCall): Promise<MatcherResult> {
    const test = this.testOf(call);
    if (test === undefined) return result;
    const check: TrackedCheck = { call, taken: false, awaited: false, outcome: { state: 'pending' }, settled: Promise.resolve() };
    // Attached before the watch is installed, so this handler is not mistaken for the test's await.
    check.settled = result.then(
      (matcherResult) => {
        // The assertion fails when the result's `pass` is what `.not` negates.
        check.outcome = matcherResult.pass === call.isNot ? { state: 'failed', result: matcherResult } : { state: 'passed' };
      },
      (error: unknown) => {
        check.outcome = { state: 'failed', error };
      },
    );
    test.checks.push(check);
    const taken = (): void => {
      check.taken = true;
    };
    const awaited = (): void => {
      check.awaited = true;
    };
    return watchAwaiting(result, { onTaken: taken, onAwaited: awaited });
  }

  /**
   * Closes a test. Undefined when every async check it made was awaited (or it made none); else
   * a Promise of the error to fail the test with, after waiting up to `waitSeconds` for those
   * still running.
   */
  end(key: object, waitSeconds = UNAWAITED_WAIT_SECONDS): Promise<Error> | undefined {
    const test = this.openTests.get(key);
    this.openTests.delete(key);
    const unawaited = test?.checks.filter((check) => check.taken && !check.awaited) ?? [];
    if (unawaited.length === 0) return undefined;
    for (const check of unawaited) check.endedWhile = check.outcome.state;
    const running = unawaited.filter((check) => check.outcome.state === 'pending');
    const waited = running.length === 0 ? Promise.resolve() : settledWithin(running, waitSeconds);
    return waited.then(() => unawaitedCheckError(unawaited, waitSeconds));
  }
}

/** The registry the matcher and the runner hooks share. */
export const pendingChecks = new PendingChecks();
