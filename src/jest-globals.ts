import type {} from 'expect';
import { afterEach, beforeEach, expect } from '@jest/globals';
import { jestMatchers } from './matchers/index.js';
import type { AsymmetricGradientMatchers, GradientMatchers } from './matchers/types.js';
import { failUnawaitedChecks } from './matchers/unawaited-hook.js';

expect.extend(jestMatchers);
// Hooks of a setupFilesAfterEnv file apply to every test; an async check a test does not await fails it.
failUnawaitedChecks({ beforeEach, afterEach });

/*
 * Types for `import { expect } from '@jest/globals'` and the standalone `expect` package (Jest 29
 * and 30, whose `Matchers<R, T>` this merges with). `expect` must be resolvable from this package:
 * under strict pnpm, add it as a dev dependency at your Jest's version.
 */
declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends GradientMatchers<R, T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchers extends AsymmetricGradientMatchers {}
}
