import type { AcrossOptions, ArbitraryLike, CandidateSpace } from '../across/across-types.js';
import type { GradientCheckOptions } from '../check/options.js';

/** Whether a function type returns a Promise (or any thenable). */
type ReturnsPromise<F> = F extends (...args: never[]) => infer Result ? (Result extends PromiseLike<unknown> ? true : false) : false;

/**
 * A layer whose forward or backward returns a Promise gets an awaited matcher. For a received
 * type that says nothing (`any`), both are allowed.
 */
export type IsAsyncLayer<T> = T extends { forward: infer Forward }
  ? ReturnsPromise<Forward> extends true
    ? true
    : T extends { backward: infer Backward }
      ? ReturnsPromise<Backward>
      : false
  : false;

/** What the matcher returns: the runner's own type for sync layers, a Promise to await for async ones. */
export type GradientMatcherResult<R, T> = IsAsyncLayer<T> extends true ? Promise<void> : R;

/** The layer a builder's result holds: the result itself, or its `layer`. */
type BuiltLayer<B> = B extends { layer: infer L } ? L : B;

/**
 * A search over a builder is awaited when the builder returns a Promise or builds an async layer;
 * for a received type that says nothing (`any`), both are allowed.
 */
export type AcrossMatcherResult<R, T> = T extends (...args: never[]) => infer Built
  ? Built extends PromiseLike<unknown>
    ? Promise<void>
    : IsAsyncLayer<BuiltLayer<Built>> extends true
      ? Promise<void>
      : R
  : R;

/**
 * The matcher's arguments: a step and a tolerance, or an options object. One signature over a union
 * of argument lists rather than two overloads: Vitest types `.resolves`, `.rejects` and
 * `expect.poll` by mapping each matcher through `(...args: infer A) => …`, which sees only the last
 * overload, so `expect.poll(f).toHaveCorrectGradients()` was TS2554 (an options object expected).
 */
export type GradientMatcherArgs = [epsilon?: number | 'auto', tolerance?: number] | [options: GradientCheckOptions];

/** The matcher's call signature, shared by the Jest type augmentations (Vitest's reads `this`, see vitest-types.ts). */
export interface GradientMatchers<R = unknown, T = unknown> {
  /**
   * Checks the layer's backward pass against central finite differences of a seeded random
   * projection of its output. `epsilon` is `'auto'` (per-entry step) or an absolute step;
   * `tolerance` is relative per entry, on top of the finite difference's own error estimate.
   * For a layer whose forward or backward returns a Promise, the result is a Promise: await it.
   */
  toHaveCorrectGradients(...args: GradientMatcherArgs): GradientMatcherResult<R, T>;
  /**
   * `expect(build)`: checks `build(config)`'s layer at configurations of `space` (candidate lists,
   * smallest first, or a fast-check Arbitrary), smaller ones first, and shrinks a failure to the
   * smallest failing configuration, which the message leads with.
   */
  toHaveCorrectGradientsAcross(space: CandidateSpace | ArbitraryLike, options?: AcrossOptions): AcrossMatcherResult<R, T>;
}

/** The asymmetric form, `expect.toHaveCorrectGradients()` inside `toEqual(…)`: same arguments, an asymmetric matcher as result. */
export interface AsymmetricGradientMatchers {
  toHaveCorrectGradients(...args: GradientMatcherArgs): unknown;
  toHaveCorrectGradientsAcross(space: CandidateSpace | ArbitraryLike, options?: AcrossOptions): unknown;
}
