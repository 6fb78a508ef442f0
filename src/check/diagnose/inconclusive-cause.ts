import type { Dtype } from '../../engine/dtype.js';
import { formatNumber } from '../../engine/format-number.js';
import { autoStep } from '../../engine/step-size.js';
import type { InconclusiveExplanation, TensorReport } from '../report-types.js';
import { coverageShortfall } from '../resolve/coverage.js';

/** Outputs whose common value is this many times their spread carry an offset that only adds rounding. */
const OFFSET_TO_SPREAD = 1e3;

/** What the explanation is built from. */
export interface InconclusiveFacts {
  dtype: Dtype;
  epsilon: number | 'auto';
  tolerance: number;
  gradientScale: number;
  gradientScaleFrom: 'gradients' | 'outputs';
  /** The unperturbed output (or the loss, for a scalar-loss layer). */
  baseOutput: Float64Array;
  scalarLoss: boolean;
  /** Rounding of one loss sample, from the model. */
  lossNoise: number;
  tensors: readonly TensorReport[];
  /** For mode 'auto' with too small a budget: about how many calls screening every entry to its guarantee needs. */
  neededEvaluations: number | null;
}

function outputOffset(output: Float64Array): { offset: number; spread: number } {
  let sum = 0;
  for (const v of output) sum += v;
  const offset = sum / output.length;
  let spread = 0;
  for (const v of output) spread = Math.max(spread, Math.abs(v - offset));
  return { offset, spread };
}

/**
 * Why significant gradients could not be resolved, and what would resolve them. The finite
 * difference's error is rounding of the loss over the step (δJ/h) plus truncation (∝ h²), so the
 * causes are a step that is too small or too large for the storage, and a loss whose rounding δJ is
 * large against the change the step makes: an offset in the outputs, a huge loss, float32.
 */
export function explainInconclusive(facts: InconclusiveFacts): InconclusiveExplanation | null {
  const { dtype, epsilon, tolerance, baseOutput, lossNoise } = facts;
  const unresolved = facts.tensors.filter((t) => t.inconclusive.length > 0);
  const shortfalls = facts.tensors
    .map((t) => ({ tensor: t, shortfall: coverageShortfall(t) }))
    .filter((s): s is { tensor: TensorReport; shortfall: string } => s.shortfall !== null);
  if (unresolved.length === 0 && shortfalls.length === 0) return null;
  const whats: string[] = [];
  if (unresolved.length > 0) {
    const where = unresolved.map((t) => `${t.name} (${t.inconclusive.length} of ${t.size})`).join(', ');
    const worst = unresolved.flatMap((t) => t.inconclusive).reduce((a, b) => (b.errorEstimate / b.needed > a.errorEstimate / a.needed ? b : a));
    const against =
      facts.gradientScaleFrom === 'gradients' && facts.gradientScale > 0
        ? `the tolerance ${formatNumber(tolerance)} of each gradient, or of the layer's largest resolved gradient ${formatNumber(facts.gradientScale)}`
        : `the tolerance ${formatNumber(tolerance)} of each gradient, or of ${formatNumber(facts.gradientScale)}, the largest entry of the projection: no gradient of the layer was resolved at all`;
    whats.push(
      `The gradients of ${where} could not be resolved: their finite differences are uncertain by up to ${formatNumber(worst.errorEstimate)} ` +
        `where a verdict needs at most ${formatNumber(worst.needed)} (${against}), so a wrong gradient there would pass too.`,
    );
  }
  for (const { tensor, shortfall } of shortfalls) whats.push(`${tensor.name} was not fully checked: ${shortfall}.`);
  const what = whats.join(' ');
  // Entries the loss's rounding hides have a numeric cause; those not reached, not localized or drowned in their blocks have the budget as theirs.
  const numericCause = unresolved.length > 0 || shortfalls.some(({ tensor }) => tensor.coverage.screenedUnresolved > 0);
  const budgetRemedy =
    facts.neededEvaluations === null
      ? "mode: 'exhaustive' (every entry one by one), or a larger maxSeconds / maxEvaluations"
      : `maxEvaluations: ${facts.neededEvaluations} (about what screening every entry to its guarantee needs), or mode: 'exhaustive'`;
  const coverageRemedies = shortfalls.length > 0 ? [budgetRemedy] : [];
  if (!numericCause) {
    return { cause: what, remedies: [...coverageRemedies, 'or accept unresolved entries explicitly with { allowInconclusive: true }'] };
  }

  const reasons: string[] = [];
  const remedies: string[] = [];
  const automatic = autoStep(1, dtype);
  const rounding = `each loss evaluation is rounded by about ${formatNumber(lossNoise)}`;
  if (epsilon !== 'auto' && epsilon < automatic / 4) {
    reasons.push(
      `The step epsilon = ${formatNumber(epsilon)} is far below what ${dtype} resolves: ${rounding}, which over a step of ${formatNumber(epsilon)} ` +
        `is an error of about ${formatNumber(lossNoise / epsilon)} in every difference.`,
    );
    remedies.push(`use epsilon: 'auto' (a step of ${formatNumber(automatic)}·max(1, |θ|) per entry in ${dtype})`);
  } else if (epsilon !== 'auto' && epsilon > automatic * 64) {
    reasons.push(`The step epsilon = ${formatNumber(epsilon)} is so large that the curvature of the loss (truncation error) swamps the derivative.`);
    remedies.push(`use epsilon: 'auto' (a step of ${formatNumber(automatic)}·max(1, |θ|) per entry in ${dtype})`);
  }
  const { offset, spread } = outputOffset(baseOutput);
  if (facts.scalarLoss && Math.abs(baseOutput[0]) > 1) {
    reasons.push(`The loss is about ${formatNumber(baseOutput[0])}, so ${rounding}, more than the step moves it for these gradients.`);
    remedies.push('check at an input where the loss is smaller, or subtract a constant from the loss in a test-only wrapper');
  } else if (!facts.scalarLoss && Math.abs(offset) > OFFSET_TO_SPREAD * spread && offset !== 0) {
    reasons.push(
      `The outputs carry an offset of about ${formatNumber(offset)} (they vary by only ${formatNumber(spread)} around it), so ${rounding}, ` +
        'more than the step moves the loss for these gradients.',
    );
    remedies.push('remove the offset: check the layer with outputs centred near 0 (subtract the constant in a test-only wrapper)');
  } else if (reasons.length === 0) {
    let largest = 0;
    for (const v of baseOutput) largest = Math.max(largest, Math.abs(v));
    reasons.push(`${rounding.charAt(0).toUpperCase()}${rounding.slice(1)} (outputs up to ${formatNumber(largest)}), more than the step moves the loss for these gradients.`);
    if (dtype === 'float64') remedies.push('check at an input where these gradients are larger against the outputs');
  }
  if (dtype === 'float32') remedies.push('check a float64 copy of the layer (Float64Array storage rounds 5e8 times less)');
  remedies.push(...coverageRemedies);
  remedies.push('or accept unresolved entries explicitly with { allowInconclusive: true }');
  return { cause: `${what} ${reasons.join(' ')}`, remedies };
}
