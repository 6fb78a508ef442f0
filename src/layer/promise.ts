/** Anything with a `then` method: a Promise from an async function, a tfjs `data()` call, a thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A Promise the checker refuses is still running; if it later rejects, Node reports an unhandled
 * rejection that points at nothing the user wrote. Attaching a handler leaves no rejection behind.
 */
export function silenceRejection(value: PromiseLike<unknown>): void {
  try {
    void Promise.resolve(value).then(undefined, () => undefined);
  } catch {
    // A thenable whose `then` throws has nothing pending to silence.
  }
}
