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
 * The classic bands for the normalized difference: below 1e-7 the gradient is right; up to 1e-3
 * it is worth inspecting (normal for float32 or kinks); above 1e-3 it is almost surely a bug.
 */
export function errorBand(value: number): ErrorBand {
  if (value < 1e-7) return 'correct';
  if (value < 1e-3) return 'inspect';
  return 'bug';
}
