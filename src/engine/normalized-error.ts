import type { Dtype } from './dtype.js';

/** Band of a normalized difference: the classic thresholds for float64, higher ones for float32 (see `errorBand`). */
export type ErrorBand = 'correct' | 'inspect' | 'bug';

/**
 * ‖n − a‖₂ / (‖n‖₂ + ‖a‖₂): scale-free, in [0, 1], and 0 when both are zero. Norms are computed
 * with a running scale so gradients of 1e200 or 1e-200 neither overflow nor underflow.
 */
export function normalizedError(numeric: ArrayLike<number>, analytic: ArrayLike<number>, length: number): number {
  const difference = scaledNorm((i) => numeric[i] - analytic[i], length);
  if (difference === 0) return 0;
  const denominator = scaledNorm((i) => numeric[i], length) + scaledNorm((i) => analytic[i], length);
  return denominator === 0 ? 1 : difference / denominator;
}

function scaledNorm(entry: (i: number) => number, length: number): number {
  let scale = 0;
  let sumOfSquares = 1;
  for (let i = 0; i < length; i++) {
    const value = Math.abs(entry(i));
    if (value === 0 || !Number.isFinite(value)) continue;
    if (scale < value) {
      sumOfSquares = 1 + sumOfSquares * (scale / value) ** 2;
      scale = value;
    } else {
      sumOfSquares += (value / scale) ** 2;
    }
  }
  return scale * Math.sqrt(sumOfSquares);
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
