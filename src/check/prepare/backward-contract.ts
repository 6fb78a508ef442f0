import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import { backwardGradients } from './analytic-gradients.js';
import { checkLinearity, showsAccumulation } from './linearity.js';

/**
 * backward's contract: linear in the upstream gradient (backward(0) = 0, backward(2r) = 2·backward(r)),
 * with no hidden sum carried from one call to the next. A scalar loss has no upstream gradient to vary.
 */
export function* checkBackwardContract(check: CheckContext): CheckProcess<void> {
  if (check.form.scalar) return;
  const { tensors, dtype, problems, evaluation } = check;
  const zeroRun = yield* backwardGradients(check, evaluation.scaledProjection(0));
  checkLinearity(tensors, 0, zeroRun, dtype, problems);
  const doubledRun = yield* backwardGradients(check, evaluation.scaledProjection(2));
  checkLinearity(tensors, 2, doubledRun, dtype, problems);
  for (const tensor of tensors) {
    if (showsAccumulation(tensor, tensor.pick(zeroRun), tensor.pick(doubledRun), dtype)) check.accumulating.add(tensor.name);
  }
}
