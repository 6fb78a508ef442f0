import { describe, expect, it } from 'vitest';
import type { MatcherResult } from '../../src/matchers/matcher-context.js';
import { unawaitedCheckError, type UnawaitedCheck } from '../../src/matchers/unawaited-message.js';
import { UNAWAITED_FAILED_HEAD } from '../helpers/assertion-messages.js';

const failing: MatcherResult = {
  pass: false,
  message: () => 'expect(layer).toHaveCorrectGradients()\n\n3 of 6 gradient entries disagree',
  actual: 'w[0]: 2',
  expected: 'w[0]: 1',
};

function check(outcome: UnawaitedCheck['outcome'], endedWhile: UnawaitedCheck['endedWhile'], changes: Partial<UnawaitedCheck['call']> = {}): UnawaitedCheck {
  const callSite = new Error();
  return {
    call: { hint: 'expect(layer).toHaveCorrectGradients()', awaitedCall: 'await expect(layer).toHaveCorrectGradients()', soft: false, callSite, ...changes },
    outcome,
    endedWhile,
  };
}

const linesOf = (error: Error): string[] => error.message.split('\n');

describe('the error for an unawaited check', () => {
  it('says what happened, shows the call with its await, then what the check found after the test', () => {
    const error = unawaitedCheckError([check({ state: 'failed', result: failing }, 'pending')], 60);
    expect(linesOf(error)).toEqual([
      ...UNAWAITED_FAILED_HEAD,
      '',
      'expect(layer).toHaveCorrectGradients()',
      '',
      '3 of 6 gradient entries disagree',
    ]);
    // Vitest draws the diff from these, as for the matcher's own failure.
    expect([(error as { actual?: unknown }).actual, (error as { expected?: unknown }).expected]).toEqual(['w[0]: 2', 'w[0]: 1']);
  });

  it('for a check that had settled when the test ended, says the test went on without it', () => {
    const lines = linesOf(unawaitedCheckError([check({ state: 'failed', result: failing }, 'failed')], 60));
    expect(lines[2]).toMatch(/, and the test went on without waiting for it\.$/);
    expect(lines[8]).toBe('It failed, and the test never saw it:');
  });

  it('for a check that passed, says a failure would have gone unseen, and carries no diff', () => {
    const error = unawaitedCheckError([check({ state: 'passed' }, 'pending')], 60);
    expect(linesOf(error).at(-1)).toBe('It passed after the test ended; had it failed, the test would have passed all the same.');
    expect(error).not.toHaveProperty('actual');
  });

  it("for a check that threw, gives the error's message", () => {
    const error = unawaitedCheckError([check({ state: 'failed', error: new RangeError('forward() lost its buffer') }, 'pending')], 60);
    expect(linesOf(error).slice(-3)).toEqual(['It failed after the test ended, and the test never saw it:', '', 'forward() lost its buffer']);
  });

  it('for expect.soft, leaves the failure to the soft assertion error the runner reports', () => {
    const soft = check({ state: 'failed', result: failing }, 'pending', { awaitedCall: 'await expect.soft(layer).toHaveCorrectGradients()', soft: true });
    const error = unawaitedCheckError([soft], 60);
    expect(linesOf(error).slice(6)).toEqual(['  await expect.soft(layer).toHaveCorrectGradients()', '', 'It failed after the test ended; expect.soft reports that failure separately.']);
    expect(error).not.toHaveProperty('actual');
  });

  it('for a check still running when the wait ran out, says the layer may not be put back', () => {
    const lines = linesOf(unawaitedCheckError([check({ state: 'pending' }, 'pending')], 0.5));
    expect(lines.at(-1)).toBe('It was still running 0.5 s after the test ended, so its layer may not be put back yet.');
  });

  it('lists several checks, one section each, and draws no diff', () => {
    const error = unawaitedCheckError(
      [check({ state: 'failed', result: failing }, 'pending'), check({ state: 'passed' }, 'passed', { hint: 'expect(layer).not.toHaveCorrectGradients()' })],
      60,
    );
    const lines = linesOf(error);
    expect(lines.slice(0, 3)).toEqual(['2 async checks in this test were not awaited.', '', 'expect(layer).toHaveCorrectGradients()']);
    expect(lines).toContain('expect(layer).not.toHaveCorrectGradients()');
    expect(error).not.toHaveProperty('actual');
  });

  it("points its stack at the unawaited call, past the runner's own frames", () => {
    const callSite = new Error();
    callSite.stack = [
      'Error',
      '    at __EXTERNAL_MATCHER_TRAP__ (/p/node_modules/expect/build/index.js:2240:22)',
      '    at Object.throwingMatcher (/p/node_modules/expect/build/index.js:2241:6)',
      '    at Object.<anonymous> (/p/dense.test.js:12:30)',
      '    at helper (/p/node_modules/lib/index.js:3:1)',
    ].join('\n');
    const error = unawaitedCheckError([check({ state: 'passed' }, 'pending', { callSite })], 60);
    const stackLines = (error.stack ?? '').split('\n');
    expect(stackLines[0]).toBe('Error: expect(layer).toHaveCorrectGradients()');
    expect(stackLines.filter((line) => line.startsWith('    at '))).toEqual(['    at Object.<anonymous> (/p/dense.test.js:12:30)', '    at helper (/p/node_modules/lib/index.js:3:1)']);
  });
});
