/**
 * The part of `this` inside a custom matcher that both Vitest and Jest provide. Only helpers
 * present in both runners are used (Vitest lacks matcherErrorMessage, ensureNumbers, pluralize).
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
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}
