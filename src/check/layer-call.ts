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
  /** Outside the budget: the one closing forward after a stop (see budget.ts). */
  exempt?: boolean;
}

/** What the driver asks before each call, and how long it waits for an async one (see budget.ts). */
export interface CallGuard {
  /** Throws (into the process) to refuse the call. */
  admit(call: LayerCall): void;
  /** How long an async call may stay pending, and the error thrown into the process when it does not settle in time. */
  pendingLimit(call: LayerCall): { seconds: number; abandon(): Error };
}

/** A process the driver runs as a child of the one that yielded it (see `nested`). */
class NestedProcess {
  constructor(readonly process: CheckProcess<unknown>) {}
}

/** A step of the check: yields layer calls (or nested processes), receives their (awaited) results, returns `T`. */
export type CheckProcess<T> = Generator<LayerCall | NestedProcess, T, unknown>;

/**
 * Runs `child` as a nested process and returns its result, as `yield* child` would. The difference
 * is the cost per layer call: through `yield*` every call passes every generator above it (a
 * check is a dozen deep, and makes tens of thousands of calls); a nested process is on the driver's
 * own stack, so its calls reach the driver directly. Errors and `finally` blocks work as with `yield*`.
 */
export function* nested<T>(child: CheckProcess<T>): CheckProcess<T> {
  return (yield new NestedProcess(child)) as T;
}

/** What a driver resumes: a process and the nested processes it runs, as one iterator of layer calls. */
interface ProcessStack<T> {
  next(value?: unknown): IteratorResult<LayerCall, T>;
  throw(error: unknown): IteratorResult<LayerCall, T>;
}

function stackOf<T>(root: CheckProcess<T>): ProcessStack<T> {
  const stack: CheckProcess<unknown>[] = [root];
  // Resumes the innermost process (with a value, or by throwing into it) until one yields a layer call or the root returns.
  const resume = (throwingFirst: boolean, first: unknown): IteratorResult<LayerCall, T> => {
    let throwing = throwingFirst;
    let payload = first;
    for (;;) {
      const top = stack[stack.length - 1];
      let result: IteratorResult<LayerCall | NestedProcess, unknown>;
      try {
        result = throwing ? top.throw(payload) : top.next(payload);
      } catch (error) {
        stack.pop();
        if (stack.length === 0) throw error;
        throwing = true;
        payload = error;
        continue;
      }
      if (result.done === true) {
        stack.pop();
        if (stack.length === 0) return result as IteratorReturnResult<T>;
        throwing = false;
        payload = result.value;
      } else if (result.value instanceof NestedProcess) {
        stack.push(result.value.process);
        throwing = false;
        payload = undefined;
      } else {
        return result as IteratorYieldResult<LayerCall>;
      }
    }
  };
  return { next: (value) => resume(false, value), throw: (error) => resume(true, error) };
}

export function call(what: string, run: () => unknown, exempt = false): LayerCall {
  return exempt ? { what, run, exempt } : { what, run };
}

/** Thrown into the process when a sync-only driver meets a Promise; the process restores the layer on its way out. */
export class AsyncLayerError extends TypeError {}

/** Marks a call that threw (or that the guard refused); what it threw is in `attempt.thrown`. */
const THREW = Symbol('threw');

/**
 * Runs one call after the guard admits it. Returns its result, or THREW with the error left in
 * `thrown` (one call at a time, so one slot serves: the hot loop allocates nothing per call).
 */
function attempt(request: LayerCall, guard: CallGuard | null): unknown {
  try {
    guard?.admit(request);
    return request.run();
  } catch (error) {
    attempt.thrown = error;
    return THREW;
  }
}
attempt.thrown = undefined as unknown;

/** The error of the last call that threw, cleared as it is taken. */
function takeThrown(): unknown {
  const error = attempt.thrown;
  attempt.thrown = undefined;
  return error;
}

/**
 * Runs the process synchronously while every call answers synchronously. At the first Promise it
 * continues asynchronously and returns a Promise of the result; `allowAsync: false` instead
 * throws an AsyncLayerError into the process (so it restores the layer) and out to the caller.
 * A `guard` is asked before every call and bounds how long an async call may stay pending.
 */
export function drive<T>(root: CheckProcess<T>, allowAsync: boolean, guard: CallGuard | null = null): T | Promise<T> {
  const process = stackOf(root);
  let next = process.next();
  while (!next.done) {
    const request = next.value;
    const result = attempt(request, guard);
    if (result === THREW) {
      next = process.throw(takeThrown());
      continue;
    }
    if (isThenable(result)) {
      if (allowAsync) return continueAsync(process, request, result, guard);
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

async function continueAsync<T>(process: ProcessStack<T>, first: LayerCall, pending: PromiseLike<unknown>, guard: CallGuard | null): Promise<T> {
  let next = await resume(process, first, pending, guard);
  while (!next.done) {
    const request = next.value;
    const result = attempt(request, guard);
    next = result === THREW ? process.throw(takeThrown()) : await resume(process, request, result, guard);
  }
  return next.value;
}

const PENDING_TOO_LONG = Symbol('pending too long');

/** The call's settled value, or PENDING_TOO_LONG once `seconds` pass first (a timer that does not outlive the wait). */
function settleWithin(pending: unknown, seconds: number): Promise<unknown> {
  if (!isThenable(pending) || seconds === Infinity) return Promise.resolve(pending);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof PENDING_TOO_LONG>((resolve) => {
    timer = setTimeout(() => resolve(PENDING_TOO_LONG), Math.ceil(seconds * 1000));
  });
  return Promise.race([Promise.resolve(pending), late]).finally(() => clearTimeout(timer));
}

/**
 * Feeds a call's (awaited) result into the process, or its rejection as a throw at the yield. A
 * call still pending past the guard's limit is abandoned: its eventual result or rejection is
 * ignored, and the guard's error is thrown into the process instead, which restores the layer.
 */
async function resume<T>(process: ProcessStack<T>, request: LayerCall, pending: unknown, guard: CallGuard | null): Promise<IteratorResult<LayerCall, T>> {
  const limit = guard === null || !isThenable(pending) ? null : guard.pendingLimit(request);
  let value: unknown;
  try {
    value = await settleWithin(pending, limit === null ? Infinity : limit.seconds);
  } catch (error) {
    return process.throw(error);
  }
  if (value === PENDING_TOO_LONG && limit !== null) {
    silenceRejection(pending as PromiseLike<unknown>);
    return process.throw(limit.abandon());
  }
  return process.next(value);
}
