import { jestMatchers } from './matchers/index.js';
import type { AsymmetricGradientMatchers, GradientMatchers } from './matchers/types.js';
import { failUnawaitedChecks, type EachHooks } from './matchers/unawaited-hook.js';

/** Jest injects `expect` and the hooks as globals in setup files (setupFilesAfterEnv). */
const jestGlobals = globalThis as { expect?: { extend(matchers: object): void } } & Partial<EachHooks>;
const jestExpect = jestGlobals.expect;
if (jestExpect === undefined || typeof jestExpect.extend !== 'function') {
  throw new Error(
    "expect-gradcheck/jest found no global expect. Load it from Jest's setupFilesAfterEnv, e.g. " +
      "setupFilesAfterEnv: ['expect-gradcheck/jest'], or use expect-gradcheck/jest-globals with @jest/globals. " +
      "Under bun test and deno test, which give a package no global expect (a Bun preload file neither), " +
      "register the matchers yourself: import { jestMatchers } from 'expect-gradcheck', then expect.extend(jestMatchers).",
  );
}
jestExpect.extend(jestMatchers);
// Hooks of a setupFilesAfterEnv file apply to every test; an async check a test does not await fails it.
const { beforeEach, afterEach } = jestGlobals;
if (typeof beforeEach === 'function' && typeof afterEach === 'function') failUnawaitedChecks({ beforeEach, afterEach });

/*
 * Types for Jest's global `expect` (@types/jest 24 to 30, all with `jest.Matchers<R, T>`). Users of
 * `import { expect } from '@jest/globals'` or the standalone `expect` package use
 * `expect-gradcheck/jest-globals`, whose `declare module 'expect'` needs that package resolvable.
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends GradientMatchers<R, T> {}
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Expect extends AsymmetricGradientMatchers {}
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface InverseAsymmetricMatchers extends AsymmetricGradientMatchers {}
  }
}
