/**
 * watchAwaiting on the chains the runners really build on an async matcher's Promise (copied from
 * their sources: Vitest 3-5 `.then(judge)`, Jest 24-30 `.then(judge).catch(rethrow)`, Vitest's
 * expect.soft one `.then` more), under each way a test can take up (or drop) the chain's end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { watchAwaiting } from '../../src/matchers/watch-awaiting.js';

interface Verdict {
  pass: boolean;
}

const judge = (verdict: Verdict): void => {
  if (!verdict.pass) throw new Error('the assertion failed');
};
const chains = {
  vitest: (root: Promise<Verdict>): Promise<void> => root.then(judge),
  jest: (root: Promise<Verdict>): Promise<void> =>
    root.then(judge).catch((error: unknown) => {
      throw error;
    }),
  'vitest soft': (root: Promise<Verdict>): Promise<void> => root.then(judge).then(undefined, () => undefined),
};
type Runner = keyof typeof chains;

interface Watched {
  /** The chain's end, as the runner hands it to the test. */
  end: Promise<void>;
  root: Promise<Verdict>;
  taken: () => boolean;
  awaited: () => boolean;
}

function watched(runner: Runner, pass = true): Watched {
  let taken = false;
  let awaited = false;
  const root = watchAwaiting(Promise.resolve({ pass }), {
    onTaken: () => (taken = true),
    onAwaited: () => (awaited = true),
  });
  return { end: chains[runner](root), root, taken: () => taken, awaited: () => awaited };
}

/** Every microtask and the immediates queued so far have run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.each(Object.keys(chains) as Runner[])('the %s chain', (runner) => {
  it('is taken by the runner, and not awaited when the test drops its end', async () => {
    const chain = watched(runner);
    await settle();
    expect(chain.taken()).toBe(true);
    expect(chain.awaited()).toBe(false);
  });

  it('is awaited by `await`, `return`, Promise.resolve, Promise.all and an awaited `.then`', async () => {
    const ways: Array<(end: Promise<void>) => Promise<unknown>> = [
      async (end) => {
        await end;
      },
      async (end) => end,
      (end) => Promise.resolve(end),
      (end) => Promise.all([end]),
      async (end) => {
        await end.then(() => 1);
      },
    ];
    for (const way of ways) {
      const chain = watched(runner);
      await way(chain.end);
      expect(chain.awaited(), way.toString()).toBe(true);
    }
  });

  it('is awaited when the test awaits a failure and catches it', async () => {
    const chain = watched(runner, false);
    try {
      await chain.end;
    } catch {
      // the test handled the failure itself, as `await expect(…).rejects` does
    }
    expect(chain.awaited()).toBe(true);
  });

  it('keeps every link a native Promise of its own realm, as the `isPromise` of Jest 24-28 requires', () => {
    const chain = watched(runner);
    expect(Promise.resolve(chain.root)).toBe(chain.root);
    expect(Promise.resolve(chain.end)).toBe(chain.end);
    expect(chain.end).toBeInstanceOf(Promise);
  });
});

describe('what is not an await', () => {
  it("the runner's own type test of the root (Jest 24-28: Promise.resolve(root) === root)", async () => {
    const chain = watched('jest');
    expect(Promise.resolve(chain.root)).toBe(chain.root);
    await settle();
    expect(chain.awaited()).toBe(false);
  });

  it('a `.then` on the end of a Vitest chain that is itself never awaited', async () => {
    const chain = watched('vitest');
    void chain.end.then(() => undefined);
    await settle();
    expect(chain.awaited()).toBe(false);
  });

  it('a root no runner chains on (the asymmetric form) is neither taken nor awaited', async () => {
    const chain = { taken: false, awaited: false };
    watchAwaiting(Promise.resolve({ pass: true }), { onTaken: () => (chain.taken = true), onAwaited: () => (chain.awaited = true) });
    await settle();
    expect(chain).toEqual({ taken: false, awaited: false });
  });
});

describe('synchronous takers two links deep count as awaiting', () => {
  it("Jest's `expect(end).rejects` (isPromise, then `.then` at once) and jest-circus's returned-Promise `.then`", async () => {
    const rejects = watched('jest', false);
    // jest 27's makeRejectMatcher: isPromise(actual) then actual.then(onResolved, onRejected), both synchronous.
    const handled = Promise.resolve(rejects.end) === rejects.end ? rejects.end.then(undefined, () => 'rejected') : null;
    expect(rejects.awaited()).toBe(true);
    expect(await handled).toBe('rejected');
    const circus = watched('jest');
    circus.end.then(() => undefined, () => undefined);
    expect(circus.awaited()).toBe(true);
  });
});

describe('an unawaited failure', () => {
  const listeners: Array<(...args: unknown[]) => void> = [];
  afterEach(() => {
    process.removeAllListeners('unhandledRejection');
    for (const listener of listeners.splice(0)) process.on('unhandledRejection', listener);
  });

  /** The unhandled rejections while `run` runs, out of sight of the runner's own listener. */
  async function unhandledDuring(run: () => void): Promise<unknown[]> {
    listeners.push(...(process.listeners('unhandledRejection') as Array<(...args: unknown[]) => void>));
    process.removeAllListeners('unhandledRejection');
    const seen: unknown[] = [];
    process.on('unhandledRejection', (reason) => seen.push(reason));
    run();
    await settle();
    await settle();
    return seen;
  }

  it('leaves no unhandled rejection behind while nobody looked at the chain (the end of the test reports it)', async () => {
    const seen = await unhandledDuring(() => {
      watched('jest', false);
      watched('vitest', false);
    });
    expect(seen).toEqual([]);
  });

  it('is left to the runner once a link was looked at: a `.then` past the runner links still rejects unhandled', async () => {
    const seen = await unhandledDuring(() => {
      void watched('jest', false).end.then(() => undefined);
    });
    expect(seen.map((reason) => (reason as Error).message)).toEqual(['the assertion failed']);
  });

  it('still rejects for the test that awaits it', async () => {
    await expect(watched('vitest', false).end).rejects.toThrow('the assertion failed');
  });
});
