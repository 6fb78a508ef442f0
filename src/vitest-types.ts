/**
 * The matcher's types for Vitest 3, 4 and 5 in one declaration (`expect-gradcheck/vitest`).
 *
 * Vitest 5 changed the interfaces a custom matcher merges with: `Assertion<T>` became
 * `Assertion<R, T>` (R: void, or Promise<void> under `.resolves` and `expect.poll`), `Matchers<T>`
 * (3.2, 4) became `Matchers<R, T>`, and the global `jest.Matchers<R, T>` that 3 and 4 extend is no
 * longer read. TypeScript merges an interface only with declarations of the same type parameters
 * (TS2428), so a generic augmentation fits one major or the other: the old `vitest` types left
 * Vitest 5 with TS2339 on every call, and a `vitest-5` entry was needed.
 *
 * What merges with every major is a declaration with no type parameters (each major gives all of
 * its own defaults). Its member cannot name R or T, so it reads them off `this`, the assertion the
 * matcher is called on: R is what that assertion's own `toEqual` returns, and the received type
 * comes from matching `this` against what Vitest's own `expect` returns for it, whatever arity its
 * `Assertion` has. Measured on Vitest 3.1, 3.2, 4.1 and 5.1 with skipLibCheck false, also beside
 * @types/jest and expect-gradcheck/jest in one program.
 */
import type { expect } from 'vitest';
import type { AcrossOptions, ArbitraryLike, CandidateSpace } from './across/across-types.js';
import type { AcrossMatcherResult, GradientMatcherArgs, GradientMatcherResult } from './matchers/types.js';

/** What `expect(received)` returns: `Assertion<T>` in Vitest 3 and 4, `Assertion<void, T>` in Vitest 5. */
type AssertionOf<Received> = ReturnType<typeof expect<Received>>;

/**
 * The matcher's result on the assertion `Self`: the assertion's own result type, or a Promise for an
 * async layer (see GradientMatcherResult). On the asymmetric form (`expect`, `expect.not`) `unknown`.
 */
export type VitestGradientResult<Self> = Self extends { toEqual: (expected: never) => infer Result }
  ? Self extends AssertionOf<infer Received>
    ? GradientMatcherResult<Result, Received>
    : Result
  : unknown;

/** The search matcher's result on the assertion `Self`, as VitestGradientResult: a Promise when the builder is async. */
export type VitestAcrossResult<Self> = Self extends { toEqual: (expected: never) => infer Result }
  ? Self extends AssertionOf<infer Received>
    ? AcrossMatcherResult<Result, Received>
    : Result
  : unknown;

/** Merged into Vitest's `Assertion` and `AsymmetricMatchersContaining` (src/vitest.ts). */
export interface VitestGradientMatchers {
  /**
   * Checks the layer's backward pass against central finite differences of a seeded random
   * projection of its output. `epsilon` is `'auto'` (per-entry step) or an absolute step;
   * `tolerance` is relative per entry, on top of the finite difference's own error estimate.
   * For a layer whose forward or backward returns a Promise, the result is a Promise: await it.
   */
  toHaveCorrectGradients(...args: GradientMatcherArgs): VitestGradientResult<this>;
  /**
   * `expect(build)`: checks `build(config)`'s layer at configurations of `space` (candidate lists,
   * smallest first, or a fast-check Arbitrary), smaller ones first, and shrinks a failure to the
   * smallest failing configuration, which the message leads with.
   */
  toHaveCorrectGradientsAcross(space: CandidateSpace | ArbitraryLike, options?: AcrossOptions): VitestAcrossResult<this>;
}
