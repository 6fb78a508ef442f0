/**
 * The registry on its own instance (the suite's own tests are open in the shared one): which test
 * a check belongs to, which checks count as unawaited, and the wait at the end of a test.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MatcherResult } from '../../src/matchers/matcher-context.js';
import { PendingChecks, type AsyncCheckCall } from '../../src/matchers/pending-checks.js';

const passing: MatcherResult = { pass: true, message: () => 'they agree' };
const failing: MatcherResult = { pass: false, message: () => 'expect(layer).toHaveCorrectGradients()\n\n3 of 6 gradient entries disagree' };

function call(changes: Partial<AsyncCheckCall> = {}): AsyncCheckCall {
  return {
    hint: 'expect(layer).toHaveCorrectGradients()',
    awaitedCall: 'await expect(layer).toHaveCorrectGradients()',
    isNot: false,
    soft: false,
    callSite: new Error(),
    ...changes,
  };
}

/** What a runner does with the matcher's Promise: Vitest's `.then(judge)`; the test then drops or awaits it. */
function runnerChain(watched: Promise<MatcherResult>, isNot = false): Promise<void> {
  return watched.then((result) => {
    if (result.pass === isNot) throw new Error(result.message());
  });
}

function deferred(): { promise: Promise<MatcherResult>; resolve: (result: MatcherResult) => void } {
  let resolve: (result: MatcherResult) => void = () => undefined;
  const promise = new Promise<MatcherResult>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('which test a check belongs to', () => {
  it("the runner's `task` when it names one, and none when that task is not open (never a guess)", async () => {
    const checks = new PendingChecks();
    const [a, b] = [{}, {}];
    checks.begin(a);
    checks.begin(b);
    void runnerChain(checks.track(Promise.resolve(failing), call({ task: b })));
    const unopened = Promise.resolve(failing);
    expect(checks.track(unopened, call({ task: {} }))).toBe(unopened);
    await settle();
    expect(checks.end(a)).toBeUndefined();
    expect((await checks.end(b))?.message).toContain('The check was not awaited.');
  });

  it('else the only open test (Jest runs a file\'s tests one at a time), and none among several', async () => {
    const checks = new PendingChecks();
    const [a, b] = [{}, {}];
    checks.begin(a);
    checks.begin(b);
    const ambiguous = Promise.resolve(failing);
    expect(checks.track(ambiguous, call())).toBe(ambiguous);
    expect(checks.end(a)).toBeUndefined();
    void runnerChain(checks.track(Promise.resolve(failing), call()));
    await expect(checks.end(b)).resolves.toBeInstanceOf(Error);
  });

  it('outside any open test (beforeAll, module scope) the Promise is handed back untouched', () => {
    const result = Promise.resolve(passing);
    expect(new PendingChecks().track(result, call())).toBe(result);
    expect(Object.getOwnPropertyNames(result)).toEqual([]);
  });
});

describe('which checks fail their test', () => {
  it('an awaited check does not, whether it passed or failed', async () => {
    const checks = new PendingChecks();
    const test = {};
    checks.begin(test);
    await runnerChain(checks.track(Promise.resolve(passing), call()));
    await expect(runnerChain(checks.track(Promise.resolve(failing), call()))).rejects.toThrow('3 of 6 gradient entries disagree');
    expect(checks.end(test)).toBeUndefined();
  });

  it('an unawaited one does, passed or failed, under `.not` by what the assertion (not the report) said', async () => {
    const checks = new PendingChecks();
    const test = {};
    checks.begin(test);
    void runnerChain(checks.track(Promise.resolve(passing), call()));
    // `.not` on a layer whose gradients agree: the assertion fails.
    const not = call({ isNot: true, hint: 'expect(layer).not.toHaveCorrectGradients()', awaitedCall: 'await expect(layer).not.toHaveCorrectGradients()' });
    void runnerChain(checks.track(Promise.resolve(passing), not), true);
    await settle();
    const lines = (await checks.end(test))?.message.split('\n') ?? [];
    expect(lines[0]).toBe('2 async checks in this test were not awaited.');
    expect(lines).toContain('It passed; had it failed, the test would have passed all the same.');
    expect(lines).toContain('  await expect(layer).not.toHaveCorrectGradients()');
    expect(lines).toContain('It failed, and the test never saw it:');
  });

  it('a check no runner chained on (the asymmetric form) does not', async () => {
    const checks = new PendingChecks();
    const test = {};
    checks.begin(test);
    checks.track(Promise.resolve(failing), call());
    await settle();
    expect(checks.end(test)).toBeUndefined();
  });

  it('each test once: opening an open test again keeps its checks, ending it twice reports once', async () => {
    const checks = new PendingChecks();
    const test = {};
    checks.begin(test);
    void runnerChain(checks.track(Promise.resolve(passing), call()));
    checks.begin(test);
    await settle();
    await expect(checks.end(test)).resolves.toBeInstanceOf(Error);
    expect(checks.end(test)).toBeUndefined();
  });
});

describe('the end of a test with a check still running', () => {
  it('waits for it, then reports what it found', async () => {
    const checks = new PendingChecks();
    const test = {};
    const layerCall = deferred();
    checks.begin(test);
    void runnerChain(checks.track(layerCall.promise, call()));
    let ended = false;
    const error = checks.end(test)?.then((value) => {
      ended = true;
      return value;
    });
    await settle();
    expect(ended).toBe(false);
    layerCall.resolve(failing);
    const lines = (await error)?.message.split('\n') ?? [];
    expect(lines[2]).toMatch(/and the test ended while the check was still running\.$/);
    expect(lines).toContain('It failed after the test ended, and the test never saw it:');
  });

  it('waits no longer than its bound', async () => {
    const checks = new PendingChecks();
    const stuck = {};
    checks.begin(stuck);
    void runnerChain(checks.track(deferred().promise, call()));
    const started = performance.now();
    const error = await checks.end(stuck, 0.05);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(error?.message.split('\n').at(-1)).toBe('It was still running 0.05 s after the test ended, so its layer may not be put back yet.');
  });

  it('waits on real time when the test has installed fake timers', async () => {
    const checks = new PendingChecks();
    const stuck = {};
    checks.begin(stuck);
    void runnerChain(checks.track(deferred().promise, call()));
    vi.useFakeTimers();
    try {
      const ending = checks.end(stuck, 0.05);
      // A fake timer would be counted here, and would never fire on its own.
      expect(vi.getTimerCount()).toBe(0);
      await expect(ending).resolves.toBeInstanceOf(Error);
    } finally {
      vi.useRealTimers();
    }
  });

  it('clears its timer when the check settles first, so nothing keeps the process alive', async () => {
    const checks = new PendingChecks();
    const quick = {};
    checks.begin(quick);
    const layerCall = deferred();
    void runnerChain(checks.track(layerCall.promise, call()));
    const before = timers();
    const ending = checks.end(quick, 30);
    expect(timers()).toBe(before + 1);
    layerCall.resolve(passing);
    await ending;
    expect(timers()).toBe(before);
  });
});
