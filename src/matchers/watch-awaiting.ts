/**
 * Whether a test awaited the Promise an async matcher handed it, seen from the Promise itself.
 *
 * The matcher's Promise never reaches the test directly: the runner chains on it at once
 * (Vitest: `.then(judge)`, Jest 24 to 30: `.then(judge).catch(rethrow)`, `expect.soft` one `.then`
 * more) and returns the end of that chain. So each Promise of the chain gets an own `then` that
 * hands out the next one, watched the same way. A link is "looked at" when
 *
 * - its `constructor` is read by anyone but this file: `await p`, `Promise.resolve(p)`,
 *   `Promise.all([p])` and Jest 24-28's `isPromise` read it (per spec, PromiseResolve) and nothing
 *   else does, while a native `await` never calls `then`. The matcher's own Promise is exempt: the
 *   runner's type test reads it;
 * - its `then` is called on a link at least two deep (past the runner's own links: Jest's
 *   `expect(p).rejects` and jest-circus's returned-Promise handling call `then` synchronously);
 * - its `then` is called once the synchronous code that made the call has run (a later microtask):
 *   returning the Promise from an async function, a `.then` scheduled by the runner or the user.
 *
 * The runner's own synchronous `.then`/`.catch` on the first links are none of these, so a
 * Promise nobody looked at was not awaited. A spare `then` link (Vitest's `U.then(f)` never
 * awaited) keeps the verdict "not awaited" until someone looks at the new link. Getters and own
 * properties leave each link a native Promise with its realm's constructor, so `isPromise`
 * checks of every Jest version still accept it.
 */

const nativeThen = Promise.prototype.then;

/** Links the runners add synchronously themselves (Jest: `.then` and `.catch`); a `then` at this depth or deeper is someone else's. */
const RUNNER_LINKS = 2;

export interface AwaitingWatch {
  /** Called when a runner first chains on the root: a Promise no runner takes up (an asymmetric matcher's) is no test's to await. */
  onTaken: () => void;
  /**
   * Called once, the first time a link is looked at. Until then every new link is given a
   * rejection handler, so an unawaited failure is reported by the watcher (at the end of the test)
   * rather than as an unhandled rejection; from then on the links are left as they are, so a
   * rejection the test took up but did not handle is reported by the runner as before.
   */
  onAwaited: () => void;
}

const ignore = (): undefined => undefined;

/** `root`, watched: `watch.onAwaited` fires when a test awaits (or otherwise takes up) the chain built on it. */
export function watchAwaiting<T>(root: Promise<T>, watch: AwaitingWatch): Promise<T> {
  let awaited = false;
  let taken = false;
  let laterMicrotask = false;
  // Our own `then` calls read `constructor` too (SpeciesConstructor): they are not a look.
  let ownCall = false;
  void nativeThen.call(Promise.resolve(), () => {
    laterMicrotask = true;
  });
  const look = (): void => {
    if (awaited) return;
    awaited = true;
    watch.onAwaited();
  };
  const native = <U>(link: Promise<U>, onFulfilled?: unknown, onRejected?: unknown): Promise<U> => {
    ownCall = true;
    try {
      return nativeThen.call(link, onFulfilled as never, onRejected as never) as Promise<U>;
    } finally {
      ownCall = false;
    }
  };
  const instrument = <U>(link: Promise<U>, depth: number): Promise<U> => {
    const constructor = (Object.getPrototypeOf(link) as { constructor: unknown }).constructor;
    if (depth > 0) {
      Object.defineProperty(link, 'constructor', {
        configurable: true,
        get() {
          if (!ownCall) look();
          return constructor;
        },
      });
    }
    Object.defineProperty(link, 'then', {
      configurable: true,
      writable: true,
      value(onFulfilled?: unknown, onRejected?: unknown) {
        if (depth === 0 && !taken) {
          taken = true;
          watch.onTaken();
        }
        if (laterMicrotask || depth >= RUNNER_LINKS) look();
        const next = native(link, onFulfilled, onRejected);
        if (awaited) return next;
        native(next, undefined, ignore);
        return instrument(next, depth + 1);
      },
    });
    return link;
  };
  return instrument(root, 0);
}
