/**
 * When is an unresolved entry harmless? A finite difference bounds |analytic − true| by about its
 * error estimate, so an entry whose estimate exceeds tolerance·|gradient| was not checked to the
 * relative tolerance. That is harmless when the error it could hide is negligible against the
 * layer's significant gradients (PyTorch's `atol`), and a false pass otherwise: a float32 weight
 * gradient measured with a step of 1e-6 is all noise, yet every wrong value "passes".
 *
 * The scale is taken from the layer itself, not a fixed number: the largest |numeric| among
 * entries measured to the relative tolerance. Only numeric values enter it, so a wrong analytic
 * gradient (×1000) cannot inflate it; only resolved ones, so noise cannot either.
 */

/** Running maximum of the resolved numeric gradients: feed every measured entry to `add`. */
export interface GradientScale {
  add(numeric: number, errorEstimate: number, tolerance: number): void;
  readonly value: number;
}

export function createGradientScale(): GradientScale {
  let value = 0;
  return {
    add(numeric, errorEstimate, tolerance) {
      const magnitude = Math.abs(numeric);
      if (Number.isFinite(magnitude) && errorEstimate <= tolerance * magnitude && magnitude > value) value = magnitude;
    },
    get value() {
      return value;
    },
  };
}

/** The error estimate a passing entry may carry and still count as checked: relative part plus the layer's absolute tolerance. */
export function neededErrorEstimate(analytic: number, numeric: number, tolerance: number, absoluteTolerance: number): number {
  return tolerance * Math.max(Math.abs(analytic), Math.abs(numeric)) + absoluteTolerance;
}
