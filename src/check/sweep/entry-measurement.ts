import { estimateDerivative, type DerivativeEstimate, type LossSamples } from '../../engine/central-difference.js';
import { judgeEntry, type EntryVerdict } from '../../engine/compare.js';
import type { Dtype } from '../../engine/dtype.js';
import { autoStep, storedStep } from '../../engine/step-size.js';
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

/** The displacements a perturbation's storage really applies for one step multiple, filled in place. */
export interface StencilSteps {
  /** Base displacements actually applied for s = +1 and s = −1, and for ±½. */
  plus: number;
  minus: number;
  halfPlus: number;
  halfMinus: number;
  /** What storage rounding adds to the error of the estimate (0 where the storage holds every step exactly). */
  roundingSlack: number;
}

/** Sets the values of the perturbed entries for a step multiple `s` (±1, ±½) and undoes it exactly. */
export interface Perturbation {
  /** Fills `into` with the displacements for this scale of the step (and remembers them for `apply`). */
  steps(scale: number, into: StencilSteps): void;
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
 * The four samples of one stencil at ±scale and ±scale/2, and their estimate. A generator of its
 * own at module level (not a closure per entry): this runs for every entry of an exhaustive check.
 */
function* sampleStencil(perturbation: Perturbation, scale: number, samples: LossSamples, steps: StencilSteps, context: MeasureContext): CheckProcess<DerivativeEstimate> {
  perturbation.steps(scale, steps);
  samples.steps.plus = steps.plus;
  samples.steps.minus = steps.minus;
  samples.halfSteps.plus = steps.halfPlus;
  samples.halfSteps.minus = steps.halfMinus;
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
  return estimate;
}

/** The samples disagree beyond rounding: a kink inside the steps, or a forward that is not a function of its inputs. */
const isSuspicious = (estimate: DerivativeEstimate, context: MeasureContext): boolean =>
  estimate.kink !== null || estimate.sampleNoise > NOISE_EVIDENCE_FACTOR * context.lossNoise;

/**
 * Measures dJ/ds along a perturbation θ + s·d at s = ±1 and ±½ (central differences, Richardson,
 * error estimate), re-measuring once or twice with a longer step where rounding limits a verdict
 * that could still change. `analytic` is what backward says dJ/ds is.
 */
export function* measurePerturbation(perturbation: Perturbation, analytic: number, context: MeasureContext): CheckProcess<Measurement> {
  const samples = newSamples(context.centerLoss);
  const steps: StencilSteps = { plus: 0, minus: 0, halfPlus: 0, halfMinus: 0, roundingSlack: 0 };
  let estimate = yield* sampleStencil(perturbation, 1, samples, steps, context);
  let suspicious = isSuspicious(estimate, context);
  let verdict = judgeEntry(analytic, estimate, context.tolerance);
  let growth = predictedGrowth(estimate);
  while (context.options.epsilon === 'auto' && worthGrowing(analytic, estimate, verdict, context)) {
    const wider = yield* sampleStencil(perturbation, growth, samples, steps, context);
    suspicious ||= isSuspicious(wider, context);
    if (wider.kink !== null || !(wider.errorEstimate < estimate.errorEstimate)) break;
    estimate = wider;
    verdict = judgeEntry(analytic, estimate, context.tolerance);
    if (growth >= MAX_STEP_GROWTH) break;
    growth = MAX_STEP_GROWTH;
  }
  return { estimate, verdict, suspicious };
}

/**
 * The perturbation of one entry: its storage's exact displacements, so the quotient divides by
 * what the layer saw. A class, so an exhaustive check allocates one small object per entry and no
 * closures.
 */
export class EntryPerturbation implements Perturbation {
  private readonly original: number;
  private readonly step: number;
  private plus = 0;
  private minus = 0;
  private halfPlus = 0;
  private halfMinus = 0;

  constructor(
    private readonly view: NumericView,
    private readonly index: number,
    context: MeasureContext,
    private readonly name: string,
  ) {
    this.original = view.get(index);
    this.step = context.options.epsilon === 'auto' ? autoStep(this.original, context.dtype) : context.options.epsilon;
  }

  steps(scale: number, into: StencilSteps): void {
    const { view, original } = this;
    const step = this.step * scale;
    this.plus = storedStep(original, step, view.stored);
    this.minus = -storedStep(original, -step, view.stored);
    this.halfPlus = storedStep(original, step / 2, view.stored);
    this.halfMinus = -storedStep(original, -step / 2, view.stored);
    if (this.halfPlus <= 0 || this.halfMinus <= 0) {
      throw new OptionsError(
        `epsilon ${this.step} is too small for ${entryLabel(this.name, view.position(this.index))} = ${original} in ${view.float32 ? 'float32' : 'float64'} ` +
          "storage: the perturbed value rounds back to the original. Use epsilon: 'auto' or a larger step.",
      );
    }
    into.plus = this.plus;
    into.minus = this.minus;
    into.halfPlus = this.halfPlus;
    into.halfMinus = this.halfMinus;
    into.roundingSlack = 0;
  }

  apply(s: number): void {
    const displacement = s === 1 ? this.plus : s === -1 ? -this.minus : s === 0.5 ? this.halfPlus : -this.halfMinus;
    this.view.set(this.index, this.original + displacement);
  }

  restore(): void {
    this.view.set(this.index, this.original);
  }
}
