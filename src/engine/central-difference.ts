/** The displacements the storage applied on either side of θ (both positive): θ + plus and θ − minus. */
export interface StoredSteps {
  plus: number;
  minus: number;
}

/** Share of the one-sided gap that the smoothness residual must reach to call a point a kink. */
const KINK_RESIDUAL_SHARE = 0.02;

/** The projected loss J sampled around one entry θ at steps ±h and ±h/2 (as the storage applied them). */
export interface LossSamples {
  center: number;
  plus: number;
  minus: number;
  plusHalf: number;
  minusHalf: number;
  steps: StoredSteps;
  halfSteps: StoredSteps;
}

/** What the finite differences say about dJ/dθ at one entry. */
export interface DerivativeEstimate {
  /** Best estimate of the derivative (Richardson-extrapolated unless disabled). */
  numeric: number;
  /** Estimated |numeric − true derivative|: truncation (from the two step sizes) plus rounding. */
  errorEstimate: number;
  truncationError: number;
  roundingError: number;
  /** Error taken for each sample: the rounding model, or half the fourth difference when larger. */
  sampleNoise: number;
  /**
   * Rounding error of the one-sided slopes from the noise model alone, the slack of a kink's
   * interval (the fourth difference is large at a kink, so it cannot serve as noise there).
   */
  kinkSlack: number;
  /** Half the base span: the step the entry was actually moved by. */
  stepUsed: number;
  /** Set when the one-sided derivatives disagree in a way no smooth function explains. */
  kink: { lower: number; upper: number } | null;
  /** One-sided difference quotients at the base step: (J(θ+h) − J(θ))/h and (J(θ) − J(θ−h))/h. */
  slopes: { forward: number; backward: number };
}

/**
 * Estimates dJ/dθ from five samples.
 *
 * Central differences D(h) = J′ + c·h² + O(h⁴), so two steps give both a better value
 * (Richardson: D(h/2) + (D(h/2) − D(h))/(r² − 1), r the step ratio) and an estimate of the
 * truncation error (|D(h/2) − D(h)|/(r² − 1)). Rounding: each sample carries an error up to δJ,
 * taken as the larger of `lossNoise` (a model from the dtype and the loss's magnitude) and half of
 * the fourth difference of the five samples, which is pure noise for a smooth J at these steps.
 *
 * Kinks: one-sided slopes differ by ≈ h·J″ for a smooth J, so the gap shrinks in proportion to h;
 * at a kink the gap is the jump in slope and does not shrink. A gap that fails to scale with h is
 * reported as a kink with the interval of one-sided slopes around it.
 */
export function estimateDerivative(samples: LossSamples, lossNoise: number, richardson: boolean): DerivativeEstimate {
  const { center, plus, minus, plusHalf, minusHalf, steps, halfSteps } = samples;
  const spanBase = steps.plus + steps.minus;
  const spanHalf = halfSteps.plus + halfSteps.minus;
  const centralBase = (plus - minus) / spanBase;
  const centralHalf = (plusHalf - minusHalf) / spanHalf;
  const ratio = spanBase / spanHalf;
  // Rounding storage can collapse both steps onto the same displacement; then nothing extrapolates.
  const extrapolationDivisor = ratio * ratio - 1;
  const canExtrapolate = extrapolationDivisor > 0.5;
  const correction = canExtrapolate ? (centralHalf - centralBase) / extrapolationDivisor : 0;
  const numeric = richardson && canExtrapolate ? centralHalf + correction : centralHalf;
  const truncationError = canExtrapolate ? Math.abs(correction) : Math.abs(centralHalf - centralBase);

  const fourthDifference = minus - 4 * minusHalf + 6 * center - 4 * plusHalf + plus;
  const sampleError = Math.max(lossNoise, 0.5 * Math.abs(fourthDifference));
  const halfStep = spanHalf / 2;
  const baseStep = spanBase / 2;
  const roundingError =
    richardson && canExtrapolate
      ? ((ratio * ratio * sampleError) / halfStep + sampleError / baseStep) / extrapolationDivisor
      : sampleError / halfStep;

  const forwardBase = (plus - center) / steps.plus;
  const backwardBase = (center - minus) / steps.minus;
  const forwardHalf = (plusHalf - center) / halfSteps.plus;
  const backwardHalf = (center - minusHalf) / halfSteps.minus;
  const gapBase = forwardBase - backwardBase;
  const gapHalf = forwardHalf - backwardHalf;
  // For a smooth J, gapBase ≈ ratio·gapHalf up to a relative O(h²·J⁗/J″); a kink at or near θ
  // breaks that proportion by a sizeable fraction (10–100 % when it lies inside the steps).
  const smoothnessResidual = Math.abs(gapBase - ratio * gapHalf);
  // Bound on the residual from sample rounding alone: each one-sided slope is off by at most
  // 2·δJ/step, with δJ from the noise model only (a kink inflates the fourth difference, so it
  // must not raise the bar it is judged against).
  const residualNoise =
    2 * lossNoise * (1 / steps.plus + 1 / steps.minus) + 2 * lossNoise * ratio * (1 / halfSteps.plus + 1 / halfSteps.minus);
  const isKink =
    smoothnessResidual > residualNoise &&
    smoothnessResidual > KINK_RESIDUAL_SHARE * Math.max(Math.abs(gapBase), ratio * Math.abs(gapHalf));

  return {
    numeric,
    errorEstimate: truncationError + roundingError,
    truncationError,
    roundingError,
    sampleNoise: sampleError,
    kinkSlack: (2 * lossNoise) / Math.min(halfSteps.plus, halfSteps.minus),
    stepUsed: baseStep,
    slopes: { forward: forwardBase, backward: backwardBase },
    kink: isKink
      ? {
          lower: Math.min(forwardBase, backwardBase, forwardHalf, backwardHalf),
          upper: Math.max(forwardBase, backwardBase, forwardHalf, backwardHalf),
        }
      : null,
  };
}
