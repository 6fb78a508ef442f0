/**
 * Unawaited async checks under Vitest 4, from source: the real `expect` chain (setupFiles:
 * src/vitest.ts), each test ending itself with `endTestOf(context)` where the setup file's
 * afterEach would, so its own assertions can read the error that would fail it. That afterEach
 * then finds the test closed. Real runs, where that error does fail the test, are the consumer
 * matrix's (test/consumer/fixtures/vitest/unawaited.fixture.ts, every Vitest version).
 */
import { beforeAll, beforeEach, describe, expect, it, test } from 'vitest';
import { endTestOf } from '../../src/matchers/unawaited-hook.js';
import { plainLines, rejectionMessage, UNAWAITED_FAILED_HEAD } from '../helpers/assertion-messages.js';
import { DelayedScale } from '../helpers/delayed-scale.js';
import { Scale } from '../zoo/protocol/weight-scale.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The message of the error the test would fail with, without colour codes; '' when it would not fail. */
async function endedWith(context: unknown): Promise<string> {
  return plainLines(await endTestOf(context)).join('\n');
}

describe('a test that does not await an async check fails', () => {
  it('when the check is still running at its end: after waiting for it, with the await to add and the report', async (context) => {
    const layer = new DelayedScale('timer', 2);
    const weights = Float64Array.from(layer.params.w);
    expect(layer).toHaveCorrectGradients();
    const ending = endTestOf(context);
    expect(layer.running).toBeGreaterThan(0);
    const error = await ending;
    // The check is over and the layer put back before the next test starts.
    expect(layer.running).toBe(0);
    expect(layer.params.w).toEqual(weights);
    const lines = plainLines(error);
    expect(lines.slice(0, UNAWAITED_FAILED_HEAD.length)).toEqual(UNAWAITED_FAILED_HEAD);
    expect(lines).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42, float64 defaults (epsilon auto = 6.1e-6·max(1, |θ|), tolerance 1e-6), Richardson).');
    // Its stack starts at the unawaited line of this file, for the runner's code frame.
    expect(error?.stack?.split('\n').find((line) => line.startsWith('    at '))).toContain('unawaited-hook.test.ts:');
  });

  it('when the check settled before its end, failing, with nobody to see the failure', async (context) => {
    expect(new DelayedScale('microtask', 2)).toHaveCorrectGradients();
    await sleep(20);
    const lines = (await endedWith(context)).split('\n');
    expect(lines[2]).toMatch(/the matcher returns a Promise, and the test went on without waiting for it\.$/);
    expect(lines[8]).toBe('It failed, and the test never saw it:');
  });

  it('when the check passes too: unawaited, a failure would have gone unseen', async (context) => {
    expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    expect((await endedWith(context)).split('\n').at(-1)).toBe('It passed after the test ended; had it failed, the test would have passed all the same.');
  });

  it('under .not, showing the call with .not', async (context) => {
    expect(new DelayedScale('immediate')).not.toHaveCorrectGradients();
    const lines = (await endedWith(context)).split('\n');
    expect(lines[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(lines[6]).toBe('  await expect(layer).not.toHaveCorrectGradients()');
    expect(lines[8]).toBe('It failed after the test ended, and the test never saw it:');
  });

  it('under expect.soft, showing the call with .soft', async (context) => {
    expect.soft(new DelayedScale('immediate')).toHaveCorrectGradients({ seed: 7 });
    const lines = (await endedWith(context)).split('\n');
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients(options)');
    expect(lines[6]).toBe('  await expect.soft(layer).toHaveCorrectGradients(options)');
  });

  it('for the one of two checks it did not await', async (context) => {
    await expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    expect(new DelayedScale('immediate', 2)).not.toHaveCorrectGradients();
    const lines = (await endedWith(context)).split('\n');
    expect(lines[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(lines.at(-1)).toBe('It passed after the test ended; had it failed, the test would have passed all the same.');
  });

  describe('started in a beforeEach', () => {
    // A beforeEach runs as part of each test: its unawaited check fails that test.
    beforeEach(() => {
      expect(new DelayedScale('immediate', 2)).toHaveCorrectGradients();
    });

    it('fails the test it ran for', async (context) => {
      expect((await endedWith(context)).split('\n')[8]).toBe('It failed after the test ended, and the test never saw it:');
    });
  });
});

describe('concurrent tests: the unawaited check fails its own test only', () => {
  // Vitest asks concurrent tests to use the context's `expect`, which names the test.
  test.concurrent('the test that forgets the await', async ({ expect, ...context }) => {
    await sleep(5);
    expect(new DelayedScale('immediate', 2)).toHaveCorrectGradients();
    await sleep(30);
    expect((await endedWith(context)).split('\n')[2]).toMatch(/^The check was not awaited\./);
  });

  test.concurrent('the test beside it that awaits', async ({ expect, ...context }) => {
    await expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    await sleep(40);
    expect(await endedWith(context)).toBe('');
  });
});

describe('nothing changes for a test that awaits its checks', () => {
  it('a failing awaited check fails with its report alone', async (context) => {
    const message = await rejectionMessage(() => expect(new DelayedScale('immediate', 2)).toHaveCorrectGradients());
    expect(message.split('\n')[2]).toBe("Expected the layer's backward pass to match central finite differences.");
    expect(message).not.toContain('not awaited');
    expect(await endedWith(context)).toBe('');
  });

  it('passing awaited checks, with and without .not, returned or awaited through rejects', async (context) => {
    await expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    await expect(new DelayedScale('microtask', 2)).not.toHaveCorrectGradients();
    await expect.soft(new DelayedScale('microtask')).toHaveCorrectGradients();
    await expect(expect(new DelayedScale('microtask', 2)).toHaveCorrectGradients()).rejects.toThrow('3 of 6 gradient entries disagree');
    await Promise.all([expect(new DelayedScale('microtask')).toHaveCorrectGradients(), expect(new DelayedScale('immediate')).toHaveCorrectGradients()]);
    expect(await endedWith(context)).toBe('');
  });

  it('a check returned from the test, which the runner awaits', () => expect(new DelayedScale('immediate')).toHaveCorrectGradients());

  it('sync layers: the matcher stays synchronous and nothing is tracked', async (context) => {
    expect(new Scale()).toHaveCorrectGradients();
    expect(() => expect(new Scale(2)).toHaveCorrectGradients()).toThrow('3 of 6 gradient entries disagree');
    expect(await endedWith(context)).toBe('');
  });

  it('the asymmetric form, which no runner awaits, is not reported', async (context) => {
    try {
      expect({ layer: new DelayedScale('microtask') }).toEqual({ layer: expect.toHaveCorrectGradients() });
    } catch {
      // An async layer is no match for the synchronous asymmetric form; that is not what is tested here.
    }
    await sleep(20);
    expect(await endedWith(context)).toBe('');
  });
});

describe('outside a test', () => {
  let outside: unknown;
  beforeAll(async () => {
    // No test is open in beforeAll: the chain is the runner's own, untouched.
    const pending = expect(new DelayedScale('microtask')).toHaveCorrectGradients();
    outside = Object.getOwnPropertyNames(pending);
    await pending;
  });

  it('a check in beforeAll is left to the runner as before', () => {
    expect(outside).toEqual([]);
  });
});
