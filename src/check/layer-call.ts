import { isThenable, silenceRejection } from '../layer/promise.js';

/**
 * The check is written once, as generators that yield a `LayerCall` wherever they call the layer
 * (forward, backward) and receive its result. Drivers run that one algorithm: synchronously for
 * layers that answer synchronously, asynchronously (awaiting each call) as soon as one returns a
 * Promise. The numbers cannot differ between the two paths, because there is only one path.
 * (Babel's `gensync` does the same for sync and async file systems.)
 */
export interface LayerCall {
  /** Calls the layer; may return a Promise (tfjs `await data()`, a WebGPU read-back, a worker). */
  run(): unknown;
  /** `forward()` or `backward()`, for the message when a sync-only driver meets a Promise. */
  what: string;
}

/** A step of the check: yields layer calls, receives their (awaited) results, returns `T`. */
export type CheckProcess<T> = Generator<LayerCall, T, unknown>;

export function call(what: string, run: () => unknown): LayerCall {
  return { what, run };
}

/** Thrown into the process when a sync-only driver meets a Promise; the process restores the layer on its way out. */
export class AsyncLayerError extends TypeError {}

/**
 * Runs the process synchronously while every call answers synchronously. At the first Promise it
 * continues asynchronously and returns a Promise of the result; `allowAsync: false` instead
 * throws an AsyncLayerError into the process (so it restores the layer) and out to the caller.
 */
export function drive<T>(process: CheckProcess<T>, allowAsync: boolean): T | Promise<T> {
  let next = process.next();
  while (!next.done) {
    const request = next.value;
    let result: unknown;
    try {
      result = request.run();
    } catch (error) {
      next = process.throw(error);
      continue;
    }
    if (isThenable(result)) {
      if (allowAsync) return continueAsync(process, result);
      silenceRejection(result);
      next = process.throw(
        new AsyncLayerError(
          `${request.what} returned a Promise. This entry point is synchronous: use checkGradientsAsync(layer), or ` +
            '`await expect(layer).toHaveCorrectGradients()`, which await each call.',
        ),
      );
      continue;
    }
    next = process.next(result);
  }
  return next.value;
}

async function continueAsync<T>(process: CheckProcess<T>, pending: PromiseLike<unknown>): Promise<T> {
  let next = await resume(process, pending);
  while (!next.done) {
    let result: unknown;
    try {
      result = next.value.run();
    } catch (error) {
      next = process.throw(error);
      continue;
    }
    next = await resume(process, result);
  }
  return next.value;
}

/** Feeds a call's (awaited) result into the process, or its rejection as a throw at the yield. */
async function resume<T>(process: CheckProcess<T>, pending: unknown): Promise<IteratorResult<LayerCall, T>> {
  let value: unknown;
  try {
    value = await pending;
  } catch (error) {
    return process.throw(error);
  }
  return process.next(value);
}
