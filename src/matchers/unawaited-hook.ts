import { pendingChecks, UNAWAITED_WAIT_SECONDS } from './pending-checks.js';

/** What a hook function returns: nothing, or a Promise the runner waits for. */
type HookFunction = () => Promise<void> | undefined;

/**
 * A runner's `beforeEach` and `afterEach`: Vitest's, Jest's (global or `@jest/globals`),
 * `node:test`'s. Typed by the function alone, as their second parameters differ (a timeout in ms,
 * node:test's options object).
 */
export interface EachHooks {
  beforeEach(fn: HookFunction): unknown;
  afterEach(fn: HookFunction): unknown;
}

/** afterEach as Vitest and Jest declare it; node:test ignores a number where it takes options, and sets no hook timeout. */
type AfterEachWithTimeout = (fn: HookFunction, timeout: number) => unknown;

/** Jest passes its hooks no context, and runs a file's tests one at a time: one key serves them all. */
const CONTEXTLESS_TEST = {};

/** Long enough for the wait in `end`, so the runner's own hook timeout (Jest: 5 s) does not cut it short. */
const HOOK_TIMEOUT_MS = (UNAWAITED_WAIT_SECONDS + 5) * 1000;

const isObject = (value: unknown): value is object => (typeof value === 'object' || typeof value === 'function') && value !== null;

/** The hook's first argument names the test: Vitest's context (a function in Vitest 4) has `task`, node:test's context is the test's own. */
function testOfHook(context: unknown): object {
  if (!isObject(context)) return CONTEXTLESS_TEST;
  const { task } = context as { task?: unknown };
  return isObject(task) ? task : context;
}

/**
 * Ends the test a hook's first argument names (see `testOfHook`): undefined when it awaited all its
 * async checks, else a Promise of the error to fail it with.
 */
export function endTestOf(context: unknown): Promise<Error> | undefined {
  return pendingChecks.end(testOfHook(context));
}

/**
 * Makes every test fail that ends without having awaited an async check
 * (`await expect(layer).toHaveCorrectGradients()` with the `await` left out): the test then fails
 * with a message that shows the `await` to add, after waiting for the check so that its layer
 * is put back before the next test. The setup entries (`expect-gradcheck/vitest`, `/jest`,
 * `/jest-globals`) call this; call it yourself from a setup file when you register the matchers
 * with `expect.extend`. Calling it twice changes nothing.
 */
export function failUnawaitedChecks(hooks: EachHooks): void {
  // Functions without parameters: Jest hands a hook with one a `done` callback and waits for it.
  hooks.beforeEach(function openTest() {
    // eslint-disable-next-line prefer-rest-params
    pendingChecks.begin(testOfHook(arguments[0]));
    return undefined;
  });
  const afterEach = hooks.afterEach.bind(hooks) as AfterEachWithTimeout;
  afterEach(function closeTest() {
    // eslint-disable-next-line prefer-rest-params
    return endTestOf(arguments[0])?.then((error) => {
      throw error;
    });
  }, HOOK_TIMEOUT_MS);
}
