import type { GradientCheckOptions } from '../check/options.js';

/** The matcher's call signatures, shared by the Vitest and Jest type augmentations. */
export interface GradientMatchers<R = unknown> {
  /**
   * Checks the layer's backward pass against central finite differences of a seeded random
   * projection of its output. `epsilon` is `'auto'` (per-entry step) or an absolute step;
   * `tolerance` is relative per entry, on top of the finite difference's own error estimate.
   */
  toHaveCorrectGradients(epsilon?: number | 'auto', tolerance?: number): R;
  toHaveCorrectGradients(options: GradientCheckOptions): R;
}
