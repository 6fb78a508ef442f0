/**
 * Σ a[i]·b[i] with Neumaier compensation. The projected loss J = Σ r·y is differenced across
 * steps of ~1e-5; plain summation would add rounding of order n·ε·Σ|r·y| to every sample.
 */
export function compensatedDot(a: ArrayLike<number>, b: ArrayLike<number>, length: number): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < length; i++) {
    const term = a[i] * b[i];
    const next = sum + term;
    // Knuth's TwoSum: the exact rounding error of sum + term, without the branch of Neumaier's form
    // (this loop runs over every output on every forward call).
    const termPart = next - sum;
    compensation += sum - (next - termPart) + (term - termPart);
    sum = next;
  }
  return sum + compensation;
}

/** Σ |a[i]·b[i]|: the scale against which the rounding error of Σ a·b is measured. */
export function absoluteDot(a: ArrayLike<number>, b: ArrayLike<number>, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.abs(a[i] * b[i]);
  return sum;
}

/**
 * Σ w[i]·(values[i] − base[i]): the change of the projected loss from the unperturbed outputs.
 * Differencing first keeps the sum small: y − y₀ is exact for nearby values (Sterbenz), so the
 * rounding left is u·Σ|w·(y − y₀)|, far below that of two large compensated sums subtracted, and
 * a plain loop does it.
 */
export function differenceDot(values: ArrayLike<number>, base: ArrayLike<number>, weights: ArrayLike<number>, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += weights[i] * (values[i] - base[i]);
  return sum;
}
