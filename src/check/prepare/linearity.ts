import type { Dtype } from '../../engine/dtype.js';
import { entryLabel } from '../../engine/position-text.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import type { Problem } from '../report-types.js';

/** backward must be linear in its upstream gradient; scaling by 2 is exact in binary floating point. */
const LINEARITY_TOLERANCE: Record<Dtype, number> = { float64: 1e-10, float32: 1e-5 };

/**
 * backward(s·r) must equal s·backward(r): backward(0) must be 0 and backward(2r) twice backward(r),
 * or the gradient ignores (or misapplies) the upstream gradient for every r. Called once per
 * factor, so only one extra set of gradients is alive at a time; at most one problem per tensor.
 */
export function checkLinearity(tensors: CheckedTensor[], factor: 0 | 2, gradients: BackwardGradients, dtype: Dtype, problems: Problem[]): void {
  for (const tensor of tensors) {
    if (problems.some((p) => p.kind === 'backward-not-linear' && p.tensor === tensor.name)) continue;
    const scaled = tensor.pick(gradients);
    if (scaled === null) {
      problems.push({
        kind: 'backward-not-linear',
        severity: 'failure',
        tensor: tensor.name,
        message: `backward() returned an input gradient for one upstream gradient and none for another; it must always return one.`,
      });
      continue;
    }
    let scale = 0;
    for (const v of tensor.analytic) scale = Math.max(scale, Math.abs(v));
    const slack = LINEARITY_TOLERANCE[dtype] * scale;
    for (let i = 0; i < tensor.analytic.length; i++) {
      if (!(Math.abs(scaled[i] - factor * tensor.analytic[i]) > slack) && !Number.isNaN(scaled[i])) continue;
      const position = tensor.view.position(i);
      const entry = entryLabel(tensor.name, position);
      const finding =
        factor === 0
          ? `is not zero for a zero upstream gradient: at ${entry} backward(0) gives ${scaled[i]}. ` +
            'Either the multiply by the upstream gradient is missing, or backward adds a term of its own (weight decay, a regularizer) that belongs in the loss.'
          : `is not linear in the upstream gradient: at ${entry} backward(r) gives ${tensor.analytic[i]} but backward(2r) gives ${scaled[i]}. ` +
            'Is the chain-rule multiply by the upstream gradient missing?';
      problems.push({ kind: 'backward-not-linear', severity: 'failure', tensor: tensor.name, position, message: `The gradient of '${tensor.name}' ${finding}` });
      break;
    }
  }
}

/**
 * After backward(r), backward(s·r) returned (1 + s) times backward(r)'s gradient: the layer adds
 * every backward to a sum it never resets (the checker zeroes the grads it can see, not a hidden
 * sum). Checked for s = 0 (the previous gradient back) and s = 2 (three times it), one run at a
 * time, so only one extra set of gradients is alive at once.
 */
export function addsToPrevious(tensor: CheckedTensor, factor: 0 | 2, scaled: Float64Array | null, dtype: Dtype): boolean {
  if (scaled === null) return false;
  let scale = 0;
  for (const v of tensor.analytic) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return false;
  const slack = LINEARITY_TOLERANCE[dtype] * scale * (1 + factor);
  return tensor.analytic.every((a, i) => Math.abs(scaled[i] - (1 + factor) * a) <= slack);
}

/**
 * The failing entries of a tensor kept their analytic values under another upstream gradient, and
 * not merely because they are zero under both (an entry backward never writes is unchanged by anything).
 */
export function unchangedOn(tensor: { analytic: Float64Array; failures: { index: number }[] }, other: Float64Array | null, dtype: Dtype): boolean {
  if (other === null) return false;
  let scale = 0;
  for (const v of tensor.analytic) scale = Math.max(scale, Math.abs(v));
  const slack = LINEARITY_TOLERANCE[dtype] * scale;
  const kept = tensor.failures.every((f) => Math.abs(other[f.index] - tensor.analytic[f.index]) <= slack);
  return kept && tensor.failures.some((f) => Math.abs(tensor.analytic[f.index]) > slack);
}
