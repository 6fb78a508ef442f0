import type { MatcherResult } from './matcher-context.js';

/** How an async check ended, as far as its test could have known. */
export type CheckOutcome = { state: 'pending' } | { state: 'passed' } | { state: 'failed'; result?: MatcherResult; error?: unknown };

/** One async check its test did not await. */
export interface UnawaitedCheck {
  call: {
    hint: string;
    awaitedCall: string;
    soft: boolean;
    callSite: Error;
  };
  /** Now (after waiting for it). */
  outcome: CheckOutcome;
  /** When the test ended: 'pending' if the check was still running. */
  endedWhile?: CheckOutcome['state'];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the check found, or why nothing can be said: the last paragraph of its section. */
function outcomeParagraph(check: UnawaitedCheck, waitSeconds: number): string {
  const { outcome } = check;
  const after = check.endedWhile === 'pending' ? ' after the test ended' : '';
  if (outcome.state === 'pending') {
    return `It was still running ${waitSeconds} s after the test ended, so its layer may not be put back yet.`;
  }
  if (outcome.state === 'passed') return `It passed${after}; had it failed, the test would have passed all the same.`;
  // expect.soft hands the failure to the test itself: it is reported beside this error.
  if (check.call.soft) return `It failed${after}; expect.soft reports that failure separately.`;
  const found = outcome.result === undefined ? errorText(outcome.error) : outcome.result.message();
  return `It failed${after}, and the test never saw it:\n\n${found}`;
}

/** One check's part of the message: hint line, what happened, what to write, what it found. */
function section(check: UnawaitedCheck, waitSeconds: number): string {
  const what =
    check.endedWhile === 'pending' ? 'and the test ended while the check was still running.' : 'and the test went on without waiting for it.';
  return [
    check.call.hint,
    '',
    `The check was not awaited. The layer is async (its forward or backward returns a Promise), so the matcher returns a Promise, ${what}`,
    '',
    'Await it (in an async test function):',
    '',
    `  ${check.call.awaitedCall}`,
    '',
    outcomeParagraph(check, waitSeconds),
  ].join('\n');
}

/**
 * The stack frames of `callSite` (the unawaited call), for the runner to point at that line. The
 * runner's own frames between the test and the matcher (Jest's `throwingMatcher`) are left out.
 */
function framesOf(callSite: Error): string {
  const frames = (callSite.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const own = frames.findIndex((line) => !line.includes('/node_modules/'));
  return frames.slice(Math.max(own, 0)).join('\n');
}

/**
 * The error that fails a test for the async checks it did not await, one section each, with the
 * stack of the first call (so the runner shows that line) and, for a single failed check, the
 * `actual`/`expected` pair from which Vitest draws the diff.
 */
export function unawaitedCheckError(checks: readonly UnawaitedCheck[], waitSeconds: number): Error {
  const sections = checks.map((check) => section(check, waitSeconds));
  const message = checks.length === 1 ? sections[0] : `${checks.length} async checks in this test were not awaited.\n\n${sections.join('\n\n')}`;
  const error = new Error(message) as Error & { actual?: unknown; expected?: unknown };
  const frames = framesOf(checks[0].call.callSite);
  if (frames !== '') error.stack = `Error: ${message}\n${frames}`;
  const { outcome } = checks[0];
  if (checks.length === 1 && outcome.state === 'failed' && !checks[0].call.soft && outcome.result?.actual !== undefined) {
    error.actual = outcome.result.actual;
    error.expected = outcome.result.expected;
  }
  return error;
}
