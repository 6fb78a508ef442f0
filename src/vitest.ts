import { afterEach, beforeEach, expect } from 'vitest';
import { matchers } from './matchers/index.js';
import { failUnawaitedChecks } from './matchers/unawaited-hook.js';
import type { VitestGradientMatchers } from './vitest-types.js';

expect.extend(matchers);
// A setup file's hooks apply to every test of the file; an async check a test does not await fails it.
failUnawaitedChecks({ beforeEach, afterEach });

/*
 * Types for Vitest 3, 4 and 5: one parameterless declaration merges with every major's `Assertion`
 * (see vitest-types.ts), which `expect.soft`, `.not`, `.resolves` and `expect.poll` all return too;
 * `AsymmetricMatchersContaining` types `expect.toHaveCorrectGradients()` and `expect.not.…`.
 */
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion extends VitestGradientMatchers {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends VitestGradientMatchers {}
}
