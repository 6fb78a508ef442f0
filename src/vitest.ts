import { afterEach, beforeEach, expect } from 'vitest';
import { matchers } from './matchers/index.js';
import type { AsymmetricGradientMatchers, GradientMatchers } from './matchers/types.js';
import { failUnawaitedChecks } from './matchers/unawaited-hook.js';

expect.extend(matchers);
// A setup file's hooks apply to every test of the file; an async check a test does not await fails it.
failUnawaitedChecks({ beforeEach, afterEach });

/*
 * Types for Vitest 3 and 4, whose assertions extend the global `jest.Matchers<void, T>` (Vitest
 * 3.2 and 4 also have `Matchers<T>`, but 3.0 and 3.1 do not, and Vitest 5 declares `Matchers<R, T>`
 * instead: one file cannot merge with both, so Vitest 5 has its own, `expect-gradcheck/vitest-5`).
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends GradientMatchers<R, T> {}
  }
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends AsymmetricGradientMatchers {}
}
