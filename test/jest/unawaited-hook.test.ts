/// <reference types="jest" />
/**
 * Unawaited async checks under Jest 30, from source: the real global `expect` chain
 * (setupFilesAfterEnv: src/jest.ts), each test ending itself with `endTestOf()` where the setup
 * file's afterEach would (Jest hands hooks no context), so it can read the error that would fail
 * it. Real runs, where that error fails the test, are the consumer matrix's (Jest 24 to 30).
 */
import { endTestOf } from '../../src/matchers/unawaited-hook';
import { plainLines, rejectionMessage, UNAWAITED_FAILED_HEAD } from '../helpers/assertion-messages';
import { DelayedScale } from '../helpers/delayed-scale';
import { Scale } from '../zoo/protocol/weight-scale';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The lines of the error the test would fail with, without colour codes; [] when it would not fail. */
async function endedWith(): Promise<string[]> {
  return plainLines(await endTestOf(undefined));
}

describe('a test that does not await an async check fails', () => {
  test('when the check is still running at its end: after waiting for it, with the await to add and the report and its diff', async () => {
    const layer = new DelayedScale('timer', 2);
    const weights = Float64Array.from(layer.params.w);
    expect(layer).toHaveCorrectGradients();
    const ending = endTestOf(undefined);
    expect(layer.running).toBeGreaterThan(0);
    const error = await ending;
    expect(layer.running).toBe(0);
    expect(layer.params.w).toEqual(weights);
    const lines = plainLines(error);
    expect(lines.slice(0, UNAWAITED_FAILED_HEAD.length)).toEqual(UNAWAITED_FAILED_HEAD);
    expect(lines).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42, float64 defaults (epsilon auto = 6.1e-6·max(1, |θ|), tolerance 1e-6), Richardson).');
    // Jest draws no diff for custom matchers: the report's own is part of the message.
    expect(lines).toContain('- Numeric (finite differences)');
    expect(error?.stack?.split('\n').find((line) => line.startsWith('    at '))).toContain('unawaited-hook.test.ts:');
  });

  test('when the check settled before its end, failing, with nobody to see the failure', async () => {
    expect(new DelayedScale('microtask', 2)).toHaveCorrectGradients();
    await sleep(20);
    const lines = await endedWith();
    expect(lines[2]).toMatch(/the matcher returns a Promise, and the test went on without waiting for it\.$/);
    expect(lines[8]).toBe('It failed, and the test never saw it:');
  });

  test('under .not, passing or not, showing the call with .not', async () => {
    expect(new DelayedScale('immediate', 2)).not.toHaveCorrectGradients();
    const lines = await endedWith();
    expect(lines[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(lines[6]).toBe('  await expect(layer).not.toHaveCorrectGradients()');
    expect(lines.at(-1)).toBe('It passed after the test ended; had it failed, the test would have passed all the same.');
  });

  test('for the one of two checks it did not await', async () => {
    await expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    expect(new DelayedScale('immediate')).toHaveCorrectGradients(1e-5);
    const lines = await endedWith();
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients(epsilon)');
    expect(lines.filter((line) => line.startsWith('The check was not awaited.'))).toHaveLength(1);
  });

  describe('started in a beforeEach', () => {
    beforeEach(() => {
      expect(new DelayedScale('immediate', 2)).toHaveCorrectGradients();
    });

    test('fails the test it ran for', async () => {
      expect((await endedWith())[8]).toBe('It failed after the test ended, and the test never saw it:');
    });
  });
});

describe('nothing changes for a test that awaits its checks', () => {
  test('a failing awaited check fails with its report alone', async () => {
    const message = await rejectionMessage(() => expect(new DelayedScale('immediate', 2)).toHaveCorrectGradients());
    expect(message.split('\n')[2]).toBe("Expected the layer's backward pass to match central finite differences.");
    expect(message).not.toContain('not awaited');
    expect(await endedWith()).toEqual([]);
  });

  test('passing awaited checks, with and without .not, through rejects, in Promise.all', async () => {
    await expect(new DelayedScale('immediate')).toHaveCorrectGradients();
    await expect(new DelayedScale('microtask', 2)).not.toHaveCorrectGradients();
    await expect(expect(new DelayedScale('microtask', 2)).toHaveCorrectGradients()).rejects.toThrow('3 of 6 gradient entries disagree');
    await Promise.all([expect(new DelayedScale('microtask')).toHaveCorrectGradients(), expect(new DelayedScale('immediate')).toHaveCorrectGradients()]);
    expect(await endedWith()).toEqual([]);
  });

  test('a check returned from the test, which the runner awaits', () => expect(new DelayedScale('immediate')).toHaveCorrectGradients());

  test('a check ended through a done callback', (done) => {
    expect(new DelayedScale('immediate'))
      .toHaveCorrectGradients()
      .then(() => done(), done);
  });

  test('sync layers: the matcher stays synchronous and nothing is tracked', async () => {
    expect(new Scale()).toHaveCorrectGradients();
    expect(() => expect(new Scale(2)).toHaveCorrectGradients()).toThrow('3 of 6 gradient entries disagree');
    expect(await endedWith()).toEqual([]);
  });
});
