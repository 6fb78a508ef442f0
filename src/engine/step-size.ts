import { machineEpsilon, type Dtype } from './dtype.js';

/**
 * Base step for the central difference of an entry holding `value`.
 *
 * A central difference has truncation error ≈ h²·|J‴|/6 and rounding error ≈ ε·|J|/h; their sum is
 * smallest near h ∝ ε^(1/3). Scaling by max(1, |θ|) keeps the step a fixed number of ulps above
 * the entry's own resolution, so large entries are not perturbed below their rounding and small
 * ones are not perturbed by less than the loss can resolve. float64: h ≈ 6.1e-6·max(1, |θ|);
 * float32: h ≈ 4.9e-3·max(1, |θ|).
 */
export function autoStep(value: number, dtype: Dtype): number {
  return Math.cbrt(machineEpsilon(dtype)) * Math.max(1, Math.abs(value));
}

/**
 * The displacement the storage really applies when asked to move `value` by `step` (either sign):
 * stored(θ + h) − θ. Rounding storage (Float32Array) cannot hold θ + h exactly, and the difference
 * quotient must divide by the displacement the layer saw, not by the h that was asked for.
 */
export function storedStep(value: number, step: number, stored: (x: number) => number): number {
  return stored(value + step) - value;
}
