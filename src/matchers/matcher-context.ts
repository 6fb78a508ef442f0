import { plainDiff, type PlainDiffOptions } from './plain-diff.js';

/**
 * The part of `this` inside a custom matcher that both Vitest and Jest provide. Only helpers
 * present in both runners are used (Vitest lacks matcherErrorMessage, ensureNumbers, pluralize);
 * runners with fewer (Bun) get the missing ones from plainUtils, see completeUtils.
 */
export interface MatcherUtilsLike {
  matcherHint(
    matcherName: string,
    received?: string,
    expected?: string,
    options?: { isNot?: boolean; promise?: string; secondArgument?: string },
  ): string;
  printReceived(value: unknown): string;
  printExpected(value: unknown): string;
  printWithType(name: string, value: unknown, print: (value: unknown) => string): string;
  diff(expected: unknown, received: unknown, options?: unknown): string | null | undefined;
  /** Present in both Jest and Vitest; optional so a minimal host still works. */
  RECEIVED_COLOR?: (text: string) => string;
}

export interface MatcherContextLike {
  isNot?: boolean;
  promise?: string;
  utils: MatcherUtilsLike;
  /** Both runners name the running test and its file (for CI reports). */
  currentTestName?: string;
  testPath?: string;
  /** Vitest 4 and 5: the running test, which an unawaited async check is reported on (and whose file names the project root). */
  task?: unknown;
  /** Jest: the test file's snapshot state, which keeps the project's `rootDir` (for CI report names). */
  snapshotState?: unknown;
  /** Vitest: set under `expect.soft`. */
  soft?: boolean;
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

/**
 * Plain-text stand-ins for a runner's `this.utils`: Jest before 27 calls an asymmetric matcher
 * (`expect.toHaveCorrectGradients()` inside `toEqual`) with no `this` at all.
 */
export const plainUtils: MatcherUtilsLike = {
  matcherHint: (matcherName, received = 'received', expected = '', options = {}) =>
    `expect(${received})${options.promise ? `.${options.promise}` : ''}${options.isNot ? '.not' : ''}.${matcherName}(${expected})`,
  printReceived: (value) => String(value),
  printExpected: (value) => String(value),
  printWithType: (name, value, print) => `${name} has value: ${print(value)}`,
  diff: (expected, received, options) => plainDiff(expected, received, options as PlainDiffOptions | undefined),
};

const UTIL_NAMES = ['matcherHint', 'printReceived', 'printExpected', 'printWithType', 'diff'] as const;

/**
 * The runner's helpers with each missing or unlike one taken from plainUtils. Bun 1.4's
 * `this.utils` has no `diff` and no `printWithType` (calling them threw a TypeError in place of the
 * report or the misuse message), and its `matcherHint` prints its arguments as values on lines of
 * their own (`Expected: ""`, `Received: "layer"`) where Jest's and Vitest's return the one line
 * `expect(layer).toHaveCorrectGradients()`: a hint with a line break is replaced by the plain one.
 */
export function completeUtils(utils: Partial<MatcherUtilsLike> | undefined): MatcherUtilsLike {
  if (utils === undefined || utils === null) return plainUtils;
  const completed: Partial<MatcherUtilsLike> = { RECEIVED_COLOR: utils.RECEIVED_COLOR };
  for (const name of UTIL_NAMES) {
    const own = utils[name];
    // Bound: a runner's helper may be a method that reads its own object.
    (completed as Record<string, unknown>)[name] = typeof own === 'function' ? own.bind(utils) : plainUtils[name];
  }
  const hint = completed.matcherHint as MatcherUtilsLike['matcherHint'];
  completed.matcherHint = (...args) => {
    const shown = hint(...args);
    return typeof shown === 'string' && !shown.includes('\n') ? shown : plainUtils.matcherHint(...args);
  };
  return completed as MatcherUtilsLike;
}
