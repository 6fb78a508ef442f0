import { estimateDerivative, type DerivativeEstimate, type LossSamples } from '../../engine/central-difference.js';
import { judgeEntry, type EntryVerdict } from '../../engine/compare.js';
import type { Dtype } from '../../engine/dtype.js';
import { autoStep, storedSteps } from '../../engine/step-size.js';
import type { NumericView } from '../../layer/numeric-view.js';
import type { CheckProcess, LayerCall } from '../layer-call.js';
import { OptionsError, type ValidatedOptions } from '../options.js';
import { entryLabel } from '../../engine/position-text.js';

/** The largest step growth tried for rounding-limited estimates (rounding falls as 1/h, truncation grows as h²). */
const MAX_STEP_GROWTH = 64;
const MIN_STEP_GROWTH = 8;

/**
 * A fourth difference this many times the rounding model is not rounding: either a kink inside the
 * steps or samples that disagree with each other (a forward that is not a function of its inputs).
 */
const NOISE_EVIDENCE_FACTOR = 1e3;

/** What measuring needs from the check around it; shared by every mode (exhaustive, projection, sample). */
export interface MeasureContext {
  dtype: Dtype;
  options: ValidatedOptions;
  tolerance: number;
  /** The sample at the unperturbed point (0: samples are the loss's change from it). */
  centerLoss: number;
  /** Model bound on the rounding of one loss sample. */
  lossNoise: number;
  /** The forward call at the current parameter and input values; its result goes to `lossOf`. */
  forwardCall: LayerCall;
  /** J − J₀ from one forward result. (A yield of `forwardCall` and this, rather than a nested generator: the hot loop stays shallow.) */
  lossOf(output: unknown): number;
  /** The layer's absolute tolerance (tolerance × gradient scale), 0 while the scale is being measured. */
  absoluteTolerance: number;
}

export interface Measurement {
  estimate: DerivativeEstimate;
  verdict: EntryVerdict;
  /** The samples disagreed beyond rounding (a kink, or a forward that is not deterministic). */
  suspicious: boolean;
}

/** Sets the values of the perturbed entries for a step multiple `s` (±1, ±½) and undoes it exactly. */
export interface Perturbation {
  /** Base displacements actually applied by the storage for s = +1 and s = −1, and for ±½. */
  steps(scale: number): { plus: number; minus: number; halfPlus: number; halfMinus: number; roundingSlack: number };
  apply(s: number, scale: number): void;
  restore(): void;
}

function newSamples(centerLoss: number): LossSamples {
  return { center: centerLoss, plus: 0, minus: 0, plusHalf: 0, minusHalf: 0, steps: { plus: 0, minus: 0 }, halfSteps: { plus: 0, minus: 0 } };
}

/**
 * Growth that balances the two errors of the first estimate: rounding R·h₀/h against truncation
 * T·(h/h₀)², smallest at h/h₀ = (R / 2T)^(1/3); clamped, and the largest step when T is 0 (a
 * linear loss has no truncation to trade against).
 */
function predictedGrowth(estimate: DerivativeEstimate): number {
  if (estimate.truncationError === 0) return MAX_STEP_GROWTH;
  const ideal = Math.cbrt(estimate.roundingError / (2 * estimate.truncationError));
  return Math.min(MAX_STEP_GROWTH, Math.max(MIN_STEP_GROWTH, ideal));
}

/**
 * Whether a longer step could change the verdict: an entry that passes but is not resolved to its
 * relative tolerance plus the layer's absolute tolerance, or one that fails by less than its own
 * error could move (a failure ten thousand times its error bar stays a failure at any step).
 */
function worthGrowing(analytic: number, estimate: DerivativeEstimate, verdict: EntryVerdict, context: MeasureContext): boolean {
  if (estimate.kink !== null || estimate.roundingError <= 4 * estimate.truncationError) return false;
  const relative = context.tolerance * Math.max(Math.abs(analytic), Math.abs(estimate.numeric));
  if (verdict.pass) return estimate.errorEstimate > relative + context.absoluteTolerance;
  return verdict.kind === 'mismatch' && verdict.error <= relative + 3 * estimate.errorEstimate;
}

/**
 * Measures dJ/ds along a perturbation θ + s·d at s = ±1 and ±½ (central differences, Richardson,
 * error estimate), re-measuring once or twice with a longer step where rounding limits a verdict
 * that could still change. `analytic` is what backward says dJ/ds is.
 */
export function* measurePerturbation(perturbation: Perturbation, analytic: number, context: MeasureContext): CheckProcess<Measurement> {
  const samples = newSamples(context.centerLoss);
  let suspicious = false;
  const measure = function* (scale: number): CheckProcess<DerivativeEstimate> {
    const steps = perturbation.steps(scale);
    samples.steps = { plus: steps.plus, minus: steps.minus };
    samples.halfSteps = { plus: steps.halfPlus, minus: steps.halfMinus };
    try {
      perturbation.apply(1, scale);
      samples.plus = context.lossOf(yield context.forwardCall);
      perturbation.apply(-1, scale);
      samples.minus = context.lossOf(yield context.forwardCall);
      perturbation.apply(0.5, scale);
      samples.plusHalf = context.lossOf(yield context.forwardCall);
      perturbation.apply(-0.5, scale);
      samples.minusHalf = context.lossOf(yield context.forwardCall);
    } finally {
      // Assign the saved values back: θ + h − h need not round to θ.
      perturbation.restore();
    }
    const estimate = estimateDerivative(samples, context.lossNoise, context.options.richardson);
    if (steps.roundingSlack > 0) {
      estimate.errorEstimate += steps.roundingSlack;
      estimate.roundingError += steps.roundingSlack;
    }
    if (estimate.kink !== null || estimate.sampleNoise > NOISE_EVIDENCE_FACTOR * context.lossNoise) suspicious = true;
    return estimate;
  };
  let estimate = yield* measure(1);
  let verdict = judgeEntry(analytic, estimate, context.tolerance);
  let growth = predictedGrowth(estimate);
  while (context.options.epsilon === 'auto' && worthGrowing(analytic, estimate, verdict, context)) {
    const wider = yield* measure(growth);
    if (wider.kink !== null || !(wider.errorEstimate < estimate.errorEstimate)) break;
    estimate = wider;
    verdict = judgeEntry(analytic, estimate, context.tolerance);
    if (growth >= MAX_STEP_GROWTH) break;
    growth = MAX_STEP_GROWTH;
  }
  return { estimate, verdict, suspicious };
}

/** The perturbation of one entry: its storage's exact displacements, so the quotient divides by what the layer saw. */
export function entryPerturbation(view: NumericView, index: number, context: MeasureContext, name: string): Perturbation {
  const original = view.get(index);
  const step = context.options.epsilon === 'auto' ? autoStep(original, context.dtype) : context.options.epsilon;
  let current = { plus: 0, minus: 0, halfPlus: 0, halfMinus: 0 };
  return {
    steps(scale) {
      const base = storedSteps(original, step * scale, view.stored);
      const half = storedSteps(original, (step * scale) / 2, view.stored);
      if (half.plus <= 0 || half.minus <= 0) {
        throw new OptionsError(
          `epsilon ${step} is too small for ${entryLabel(name, view.position(index))} = ${original} in ${view.float32 ? 'float32' : 'float64'} ` +
            "storage: the perturbed value rounds back to the original. Use epsilon: 'auto' or a larger step.",
        );
      }
      current = { plus: base.plus, minus: base.minus, halfPlus: half.plus, halfMinus: half.minus };
      return { ...current, roundingSlack: 0 };
    },
    apply(s) {
      const displacement = s === 1 ? current.plus : s === -1 ? -current.minus : s === 0.5 ? current.halfPlus : -current.halfMinus;
      view.set(index, original + displacement);
    },
    restore() {
      view.set(index, original);
    },
  };
}

/** One entry, measured and judged. */
export function* measureEntry(view: NumericView, index: number, analytic: number, context: MeasureContext, name: string): CheckProcess<Measurement> {
  return yield* measurePerturbation(entryPerturbation(view, index, context, name), analytic, context);
}
