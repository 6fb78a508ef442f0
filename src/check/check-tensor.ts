import { estimateDerivative, type DerivativeEstimate, type LossSamples } from '../engine/central-difference.js';
import { judgeEntry } from '../engine/compare.js';
import type { Dtype } from '../engine/dtype.js';
import { autoStep, storedSteps } from '../engine/step-size.js';
import type { NumericView } from '../layer/numeric-view.js';
import type { CheckedTensor } from './checked-tensor.js';
import { OptionsError, type ValidatedOptions } from './options.js';
import { formatPosition } from './position-text.js';
import type { EntryFailure, KinkEntry } from './report-types.js';

/** Longer steps tried, in turn, for entries whose error budget is dominated by rounding. */
const STEP_GROWTH = 8;
const MAX_STEP_GROWTH = 64;

/**
 * A fourth difference this many times the rounding model is not rounding: either a kink inside the
 * steps or samples that disagree with each other (a forward that is not a function of its inputs).
 */
const NOISE_EVIDENCE_FACTOR = 1e3;

/** What the sweep over one tensor needs from the check around it. */
export interface SweepContext {
  dtype: Dtype;
  options: ValidatedOptions;
  tolerance: number;
  /** J at the unperturbed point. */
  centerLoss: number;
  /** Model bound on the rounding of one loss sample. */
  lossNoise: number;
  /** J at the current parameter and input values. */
  evaluateLoss: () => number;
  /**
   * Called after each entry, with all values back in place; `suspicious` when the entry's samples
   * disagree beyond rounding (the check then re-tests determinism at once).
   */
  afterEntry: (suspicious: boolean) => void;
}

/** One tensor's measurements, before the layer-wide decision on which unresolved entries matter. */
export interface TensorMeasurement {
  tensor: CheckedTensor;
  numeric: Float64Array;
  errorEstimate: Float64Array;
  stepUsed: Float64Array;
  /** Per entry, what the analytic value was measured against (for kinks, the nearest point of the interval). */
  reference: Float64Array;
  failures: EntryFailure[];
  kinks: KinkEntry[];
  /** Passing smooth entries whose error estimate exceeds tolerance·max(|analytic|, |numeric|). */
  unresolvedIndices: number[];
}

export function measureTensor(tensor: CheckedTensor, context: SweepContext): TensorMeasurement {
  const { view, analytic } = tensor;
  const { dtype, options, tolerance, lossNoise } = context;
  const numeric = new Float64Array(view.size);
  const reference = new Float64Array(view.size);
  const errorEstimate = new Float64Array(view.size);
  const stepUsed = new Float64Array(view.size);
  const failures: EntryFailure[] = [];
  const kinks: KinkEntry[] = [];
  const unresolvedIndices: number[] = [];
  const samples: LossSamples = {
    center: context.centerLoss,
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
    let suspicious = false;
    const measure = (requested: number): DerivativeEstimate => {
      sampleLoss(view, i, original, requested, samples, context.evaluateLoss, tensor.name);
      const estimate = estimateDerivative(samples, lossNoise, options.richardson);
      if (estimate.kink !== null || estimate.sampleNoise > NOISE_EVIDENCE_FACTOR * lossNoise) {
        suspicious = true;
      }
      return estimate;
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
    errorEstimate[i] = Number.isFinite(estimate.errorEstimate) ? estimate.errorEstimate : Infinity;
    stepUsed[i] = estimate.stepUsed;
    if (verdict.kind === 'kink' && estimate.kink !== null) {
      kinks.push({ index: i, position: view.position(i), analytic: analytic[i], lower: estimate.kink.lower, upper: estimate.kink.upper });
    } else if (!verdict.pass) {
      failures.push({
        index: i,
        position: view.position(i),
        analytic: analytic[i],
        numeric: estimate.numeric,
        error: verdict.error,
        errorEstimate: errorEstimate[i],
        allowed: verdict.allowed,
        stepUsed: estimate.stepUsed,
        kind: verdict.kind === 'kink-outside' ? 'kink-outside' : verdict.kind === 'non-finite' ? 'non-finite' : 'mismatch',
      });
    } else if (!verdict.resolved) {
      unresolvedIndices.push(i);
    }
    context.afterEntry(suspicious);
  }
  return { tensor, numeric, errorEstimate, stepUsed, reference, failures, kinks, unresolvedIndices };
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
    throw new OptionsError(
      `epsilon ${step} is too small for ${name}${formatPosition(view.position(index))} = ${original} in ${view.float32 ? 'float32' : 'float64'} ` +
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
