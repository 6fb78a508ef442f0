import { directionOver } from '../sweep/direction-measurement.js';
import { measurePerturbation } from '../sweep/entry-measurement.js';
import type { CheckProcess } from '../layer-call.js';
import type { KinkEntry } from '../report-types.js';
import type { TensorRecord } from '../sweep/tensor-record.js';
import type { SweepContext } from '../sweep/sweep-context.js';

/**
 * Pairs of kink entries checked together per tensor, nearest in index first (tied maxima share a
 * pooling window, so they sit close): enough for every tie a real layer has, bounded for a layer
 * full of kinks.
 */
export const MAX_KINK_PAIRS = 512;

/** Separable prediction and measurement may differ by this many times their combined rounding slack before the pair counts as coupled. */
const COUPLING_NOISE_FACTOR = 8;

/** Kink pairs by index distance, nearest first, at most `limit`. */
export function nearbyPairs(kinks: readonly KinkEntry[], limit: number): [KinkEntry, KinkEntry][] {
  const sorted = [...kinks].sort((a, b) => a.index - b.index);
  const pairs: [KinkEntry, KinkEntry][] = [];
  for (let gap = 1; gap < sorted.length && pairs.length < limit; gap++) {
    for (let i = 0; i + gap < sorted.length && pairs.length < limit; i++) pairs.push([sorted[i], sorted[i + gap]]);
  }
  return pairs;
}

/**
 * The joint check of kinks. Alone, each entry of a tie is judged against its own one-sided slopes
 * (0 and g for a tied maximum), so a backward that routes the gradient to every tied element
 * passes entry by entry although the tie then receives k·g. Moving two entries together shows it:
 * for kinks that do not interact, the pair's one-sided slopes are the sums of each entry's, and
 * nothing more is learnt; for coupled ones (a tie) they are not, and every valid subgradient
 * choice (first maximum, last, any convex split) lies between the pair's one-sided slopes, while
 * k-fold routing gives their sum, outside. Only coupled pairs are judged, with the same interval
 * logic as a single kink.
 */
export function* checkCoupledKinks(record: TensorRecord, context: SweepContext): CheckProcess<void> {
  if (record.kinks.length < 2) return;
  const { view, analytic } = record.tensor;
  for (const [first, second] of nearbyPairs(record.kinks, MAX_KINK_PAIRS)) {
    const direction = directionOver(view, [first.index, second.index], Float64Array.of(1, 1), analytic, context);
    const measurement = yield* measurePerturbation(direction.perturbation, direction.analytic, context);
    yield* context.afterMeasurement(measurement.suspicious);
    const [stepFirst, stepSecond] = direction.displacements;
    const separateRight = stepFirst * first.right + stepSecond * second.right;
    const separateLeft = stepFirst * first.left + stepSecond * second.left;
    const { slopes, kinkSlack } = measurement.estimate;
    const noise = COUPLING_NOISE_FACTOR * (kinkSlack + stepFirst * first.slack + stepSecond * second.slack);
    const differs = (measured: number, separate: number): boolean =>
      Math.abs(measured - separate) > noise + context.tolerance * Math.max(Math.abs(measured), Math.abs(separate));
    if (!differs(slopes.forward, separateRight) && !differs(slopes.backward, separateLeft)) continue;
    const { verdict, estimate } = measurement;
    if (verdict.pass) continue;
    const lower = estimate.kink === null ? estimate.numeric : estimate.kink.lower;
    const upper = estimate.kink === null ? estimate.numeric : estimate.kink.upper;
    record.jointFailures.push({
      entries: [first, second].map((kink) => ({ index: kink.index, position: kink.position, analytic: kink.analytic })),
      weights: [1, stepSecond / stepFirst],
      analytic: direction.analytic / stepFirst,
      lower: lower / stepFirst,
      upper: upper / stepFirst,
      error: verdict.error / stepFirst,
      allowed: verdict.allowed / stepFirst,
    });
  }
}
