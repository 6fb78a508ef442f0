import { estimateDerivative, type DerivativeEstimate, type LossSamples } from '../engine/central-difference.js';
import { judgeEntry } from '../engine/compare.js';
import type { Dtype } from '../engine/dtype.js';
import { errorBand, normalizedError } from '../engine/normalized-error.js';
import { autoStep, storedSteps } from '../engine/step-size.js';
import { positionOf, type NumericView } from '../layer/numeric-view.js';
import type { CheckedTensor } from './checked-tensor.js';
import { compareFailures } from './failure-order.js';
import type { ValidatedOptions } from './options.js';
import { formatPosition } from './position-text.js';
import type { EntryFailure, KinkEntry, TensorReport } from './report-types.js';

/** Longer steps tried, in turn, for entries whose error budget is dominated by rounding. */
const STEP_GROWTH = 8;
const MAX_STEP_GROWTH = 64;

/**
 * A tensor's report plus what the overall normalized error is computed from: per entry, the value
 * the analytic one was measured against, and the analytic value with non-finite ones as 0.
 */
export type TensorResult = TensorReport & { reference: Float64Array; finiteAnalytic: Float64Array };

export function checkTensor(
  tensor: CheckedTensor,
  dtype: Dtype,
  options: ValidatedOptions,
  tolerance: number,
  centerLoss: number,
  lossNoise: number,
  evaluateLoss: () => number,
): TensorResult {
  const { view, analytic } = tensor;
  const numeric = new Float64Array(view.size);
  const reference = new Float64Array(view.size);
  const errorEstimates = new Float64Array(view.size);
  const failures: EntryFailure[] = [];
  const kinks: KinkEntry[] = [];
  let unresolved = 0;
  const samples: LossSamples = {
    center: centerLoss,
    plus: 0,
    minus: 0,
    plusHalf: 0,
    minusHalf: 0,
    steps: { plus: 0, minus: 0 },
    halfSteps: { plus: 0, minus: 0 },
  };
  for (let i = 0; i < view.size; i++) {
    const original = view.get(i);
    const step = options.epsilon === 'auto' ? autoStep(original, dtype) : options.epsilon;
    const measure = (requested: number): DerivativeEstimate => {
      sampleLoss(view, i, original, requested, samples, evaluateLoss, tensor.name);
      return estimateDerivative(samples, lossNoise, options.richardson);
    };
    let estimate = measure(step);
    // An entry whose verdict is limited by rounding (it fails, or it is unresolved: e.g. a loss of
    // 1e6, quantized at 0.06 in float32) is re-measured with longer steps: rounding error falls as
    // 1/h while truncation grows as h², so the estimate with the smaller error budget wins.
    // Entries that pass with a tight error bar cost nothing extra.
    const noiseLimited = (candidate: DerivativeEstimate): boolean => {
      if (candidate.kink !== null || candidate.roundingError <= 4 * candidate.truncationError) return false;
      const candidateVerdict = judgeEntry(analytic[i], candidate, tolerance);
      return !candidateVerdict.pass || !candidateVerdict.resolved;
    };
    for (let growth = STEP_GROWTH; options.epsilon === 'auto' && growth <= MAX_STEP_GROWTH && noiseLimited(estimate); growth *= STEP_GROWTH) {
      const wider = measure(step * growth);
      if (wider.kink !== null || !(wider.errorEstimate < estimate.errorEstimate)) break;
      estimate = wider;
    }
    const verdict = judgeEntry(analytic[i], estimate, tolerance);
    numeric[i] = estimate.numeric;
    reference[i] = Number.isFinite(verdict.reference) ? verdict.reference : 0;
    errorEstimates[i] = estimate.errorEstimate;
    if (verdict.pass && !verdict.resolved) unresolved++;
    if (verdict.kind === 'kink' && estimate.kink !== null) {
      kinks.push({ index: i, position: positionOf(i, view.shape), analytic: analytic[i], lower: estimate.kink.lower, upper: estimate.kink.upper });
    } else if (!verdict.pass) {
      failures.push({
        index: i,
        position: positionOf(i, view.shape),
        analytic: analytic[i],
        numeric: estimate.numeric,
        error: verdict.error,
        errorEstimate: Number.isFinite(estimate.errorEstimate) ? estimate.errorEstimate : Infinity,
        allowed: verdict.allowed,
        stepUsed: estimate.stepUsed,
        kind: verdict.kind === 'kink-outside' ? 'kink-outside' : verdict.kind === 'non-finite' ? 'non-finite' : 'mismatch',
      });
    }
  }
  failures.sort(compareFailures);
  const finiteAnalytic = analytic.map((v) => (Number.isFinite(v) ? v : 0));
  const tensorError = normalizedError(reference, finiteAnalytic, view.size);
  return {
    name: tensor.name,
    shape: [...view.shape],
    size: view.size,
    dtype,
    pass: failures.length === 0,
    normalizedError: tensorError,
    band: errorBand(tensorError, dtype),
    failures,
    kinks,
    unresolved,
    analytic,
    numeric,
    errorEstimate: errorEstimates,
    reference,
    finiteAnalytic,
  };
}

/** Fills `samples` with J at θ ± h and θ ± h/2 for entry `index`, then assigns θ back exactly. */
function sampleLoss(
  view: NumericView,
  index: number,
  original: number,
  step: number,
  samples: LossSamples,
  evaluateLoss: () => number,
  name: string,
): void {
  samples.steps = storedSteps(original, step, view.stored);
  samples.halfSteps = storedSteps(original, step / 2, view.stored);
  if (samples.halfSteps.plus <= 0 || samples.halfSteps.minus <= 0) {
    throw new RangeError(
      `epsilon ${step} is too small for ${name}${formatPosition(positionOf(index, view.shape))} = ${original} in ${view.float32 ? 'float32' : 'float64'} ` +
        "storage: the perturbed value rounds back to the original. Use epsilon: 'auto' or a larger step.",
    );
  }
  try {
    view.set(index, original + samples.steps.plus);
    samples.plus = evaluateLoss();
    view.set(index, original - samples.steps.minus);
    samples.minus = evaluateLoss();
    view.set(index, original + samples.halfSteps.plus);
    samples.plusHalf = evaluateLoss();
    view.set(index, original - samples.halfSteps.minus);
    samples.minusHalf = evaluateLoss();
  } finally {
    // Assign the saved value back: θ + h − h need not round to θ.
    view.set(index, original);
  }
}
