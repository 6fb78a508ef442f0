import type { Dtype } from './dtype.js';

/** Band of a normalized difference: the classic thresholds for float64, higher ones for float32 (see `errorBand`). */
export type ErrorBand = 'correct' | 'inspect' | 'bug';

/** A Euclidean norm accumulated one value at a time, with a running scale so 1e200 or 1e-200 neither overflow nor underflow. */
export interface ScaledNorm {
  scale: number;
  /** Σ (value / scale)², at least 1 once any value was added. */
  sumOfSquares: number;
}

export const emptyNorm = (): ScaledNorm => ({ scale: 0, sumOfSquares: 1 });

export function addToNorm(norm: ScaledNorm, entry: number): void {
  const value = Math.abs(entry);
  if (value === 0 || !Number.isFinite(value)) return;
  if (norm.scale < value) {
    norm.sumOfSquares = 1 + norm.sumOfSquares * (norm.scale / value) ** 2;
    norm.scale = value;
  } else {
    norm.sumOfSquares += (value / norm.scale) ** 2;
  }
}

/** The norm of two disjoint sets of values together. */
export function mergeNorms(a: ScaledNorm, b: ScaledNorm): ScaledNorm {
  if (a.scale === 0) return { ...b };
  if (b.scale === 0) return { ...a };
  const [large, small] = a.scale >= b.scale ? [a, b] : [b, a];
  return { scale: large.scale, sumOfSquares: large.sumOfSquares + small.sumOfSquares * (small.scale / large.scale) ** 2 };
}

export const normValue = (norm: ScaledNorm): number => norm.scale * Math.sqrt(norm.sumOfSquares);

/** The three norms behind a normalized error, accumulated entry by entry (no copies of the gradients). */
export interface NormalizedErrorParts {
  difference: ScaledNorm;
  numeric: ScaledNorm;
  analytic: ScaledNorm;
}

export const emptyParts = (): NormalizedErrorParts => ({ difference: emptyNorm(), numeric: emptyNorm(), analytic: emptyNorm() });

export function addToParts(parts: NormalizedErrorParts, numeric: number, analytic: number): void {
  addToNorm(parts.difference, numeric - analytic);
  addToNorm(parts.numeric, numeric);
  addToNorm(parts.analytic, analytic);
}

export function mergeParts(a: NormalizedErrorParts, b: NormalizedErrorParts): NormalizedErrorParts {
  return { difference: mergeNorms(a.difference, b.difference), numeric: mergeNorms(a.numeric, b.numeric), analytic: mergeNorms(a.analytic, b.analytic) };
}

/** ‖n − a‖₂ / (‖n‖₂ + ‖a‖₂): scale-free, in [0, 1], and 0 when both are zero. */
export function partsToNormalizedError(parts: NormalizedErrorParts): number {
  const difference = normValue(parts.difference);
  if (difference === 0) return 0;
  const denominator = normValue(parts.numeric) + normValue(parts.analytic);
  return denominator === 0 ? 1 : difference / denominator;
}

export function normalizedError(numeric: ArrayLike<number>, analytic: ArrayLike<number>, length: number): number {
  const parts = emptyParts();
  for (let i = 0; i < length; i++) addToParts(parts, numeric[i], analytic[i]);
  return partsToNormalizedError(parts);
}

/**
 * Bands for the normalized difference. float64 uses the classic thresholds: below 1e-7 the
 * gradient is right, up to 1e-3 worth inspecting (kinks, long sums), above 1e-3 almost surely a
 * bug. float32 finite differences carry ~1e-4 relative noise of their own, so its bands sit
 * higher: below 1e-4 right, up to 1e-2 inspect, above 1e-2 a bug.
 */
const BANDS: Record<Dtype, { correct: number; inspect: number }> = {
  float64: { correct: 1e-7, inspect: 1e-3 },
  float32: { correct: 1e-4, inspect: 1e-2 },
};

export function errorBand(value: number, dtype: Dtype = 'float64'): ErrorBand {
  const { correct, inspect } = BANDS[dtype];
  if (value < correct) return 'correct';
  if (value < inspect) return 'inspect';
  return 'bug';
}
