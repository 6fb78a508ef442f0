import { BudgetExhausted } from '../budget.js';
import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import { backwardGradients } from '../prepare/analytic-gradients.js';
import type { BackwardGradients } from '../prepare/checked-tensor.js';
import { unchangedOn } from '../prepare/linearity.js';
import type { TensorResult } from '../resolve/resolve.js';

/** The output's batch: its first axis, when it has more than one. */
export function batchRowCount(form: { scalar: boolean; shape: number[]; size: number }): number {
  return form.scalar || form.shape.length < 2 ? 1 : form.shape[0];
}

/**
 * Parameters whose failing entries keep their values when the upstream gradient is cut to the
 * first sample: a gradient taken from that sample instead of summed over the batch. One more
 * backward, paid only when something failed.
 */
export function* firstSampleOnly(check: CheckContext, tensors: readonly TensorResult[]): CheckProcess<Set<string>> {
  const found = new Set<string>();
  const { form, evaluation, dtype } = check;
  const batchRows = batchRowCount(form);
  if (check.stop !== null || batchRows <= 1 || !tensors.some((t) => t.failures.length > 0)) return found;
  const firstRowOnly = evaluation.projection.map((r, i) => (i < form.size / batchRows ? r : 0));
  let cut: BackwardGradients;
  try {
    cut = yield* backwardGradients(check, firstRowOnly);
  } catch (error) {
    // Evidence for a diagnosis, not for the verdict: a budget that ends here leaves the diagnosis out, nothing else.
    if (error instanceof BudgetExhausted) return found;
    throw error;
  }
  // Parameters only: an input entry of one sample never depends on the other samples' upstream
  // gradient, so "unchanged when they are cut" is no evidence of a missing sum over the batch there.
  for (const tensor of check.tensors.slice(0, check.slots.length)) {
    const result = tensors.find((t) => t.name === tensor.name);
    if (result !== undefined && result.failures.length > 0 && unchangedOn(result, tensor.pick(cut), dtype)) found.add(tensor.name);
  }
  return found;
}
