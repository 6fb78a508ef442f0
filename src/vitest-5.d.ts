/**
 * Types for Vitest 5, whose assertions extend `Matchers<R, T>` (Vitest 3 and 4 use the global
 * `jest.Matchers`, see `expect-gradcheck/vitest`). The runtime is the same setup file.
 * Hand-written and copied to dist/ by the build: the repository itself runs Vitest 4, whose
 * `Matchers<T>` this declaration could not merge with.
 */
import type { GradientMatchers } from './index.js';

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends GradientMatchers<R, T> {}
}
