import { createRng } from '../../engine/rng.js';
import { autoStep } from '../../engine/step-size.js';
import type { NumericView } from '../../layer/numeric-view.js';
import type { MeasureContext, Perturbation } from './entry-measurement.js';

/**
 * A direction over a group of a tensor's entries: weight u_i = ±(1 + v), v uniform in [0, 1). The
 * magnitude is at least 1, so one wrong entry moves the directional derivative by at least its own
 * error (the detection floor holds for every entry), and it varies, so two wrong entries cancel
 * only on a set of probability zero (with ±1 weights a swapped pair cancels half the time).
 */
export function directionWeights(count: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const weights = new Float64Array(count);
  for (let k = 0; k < count; k++) weights[k] = (rng.next() < 0.5 ? -1 : 1) * (1 + rng.next());
  return weights;
}

export interface Direction {
  perturbation: Perturbation;
  /** uᵀ·(per-entry step ⊙ analytic gradient): what backward says dJ/dσ is along θ + σ·d. */
  analytic: number;
  /**
   * Per-unit-error sensitivity of the weakest entry: an error e at entry i moves the directional
   * derivative by |u_i|·h_i·e, so the smallest |u_i|·h_i turns an allowance on dJ/dσ into the
   * smallest single-entry error that must show.
   */
  weakestWeight: number;
  /** u_i·h_i per entry of the group: the direction in θ that σ moves along. */
  displacements: Float64Array;
}

/**
 * θ_i + σ·u_i·h_i for every entry i of the group at once (h_i each entry's own step), σ = ±1, ±½.
 * The quotient is taken in σ, so all steps are exact; what the storage rounds (float32) is bounded
 * entry by entry with the analytic gradient and added to the error estimate.
 */
export function directionOver(view: NumericView, entries: ArrayLike<number>, weights: Float64Array, analyticGradient: Float64Array, context: MeasureContext): Direction {
  const count = entries.length;
  const originals = new Float64Array(count);
  const displacement = new Float64Array(count);
  let analytic = 0;
  let weakestWeight = Infinity;
  for (let k = 0; k < count; k++) {
    const i = entries[k];
    originals[k] = view.get(i);
    const step = context.options.epsilon === 'auto' ? autoStep(originals[k], context.dtype) : context.options.epsilon;
    displacement[k] = weights[k] * step;
    analytic += displacement[k] * analyticGradient[i];
    weakestWeight = Math.min(weakestWeight, Math.abs(displacement[k]));
  }
  const roundingOf = (sigma: number): number => {
    // float64 storage holds θ + σ·d exactly as computed: nothing to bound.
    if (!view.float32) return 0;
    // Σ|a_i|·|stored(θ_i + σ d_i) − θ_i − σ d_i|: how far rounding moved the loss off the exact path, to first order.
    let slack = 0;
    for (let k = 0; k < count; k++) {
      const target = originals[k] + sigma * displacement[k];
      const off = Math.abs(view.stored(target) - target);
      if (off > 0) slack += Math.abs(analyticGradient[entries[k]]) * off;
    }
    return slack;
  };
  return {
    analytic,
    weakestWeight,
    displacements: displacement,
    perturbation: {
      steps(scale, into) {
        const base = (roundingOf(scale) + roundingOf(-scale)) / (2 * scale);
        const half = (roundingOf(scale / 2) + roundingOf(-scale / 2)) / scale;
        into.plus = scale;
        into.minus = scale;
        into.halfPlus = scale / 2;
        into.halfMinus = scale / 2;
        // Richardson combines the two as (4·half − base)/3; without it the half step is used.
        into.roundingSlack = context.options.richardson ? (4 * half + base) / 3 : half;
      },
      apply(sigma, scale) {
        for (let k = 0; k < count; k++) view.set(entries[k], originals[k] + sigma * scale * displacement[k]);
      },
      restore() {
        for (let k = 0; k < count; k++) view.set(entries[k], originals[k]);
      },
    },
  };
}
