import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import { backwardGradients } from './analytic-gradients.js';
import { addsToPrevious, checkLinearity } from './linearity.js';

/**
 * backward's contract: linear in the upstream gradient (backward(0) = 0, backward(2r) = 2·backward(r)),
 * with no hidden sum carried from one call to the next. A scalar loss has no upstream gradient to vary.
 */
export function* checkBackwardContract(check: CheckContext): CheckProcess<void> {
  if (check.form.scalar) return;
  const afterZero = yield* scaledRun(check, 0);
  const afterDoubled = yield* scaledRun(check, 2);
  check.tensors.forEach((tensor, i) => {
    if (afterZero[i] && afterDoubled[i]) check.accumulating.add(tensor.name);
  });
}

/**
 * backward(factor·r): linearity judged, and per tensor whether it returned (1 + factor) times the
 * previous gradient. Only the verdicts outlive the run, not its gradients: a 10⁷-entry layer holds
 * one extra set of them at a time.
 */
function* scaledRun(check: CheckContext, factor: 0 | 2): CheckProcess<boolean[]> {
  const { tensors, dtype, problems, evaluation } = check;
  const run = yield* backwardGradients(check, evaluation.scaledProjection(factor));
  checkLinearity(tensors, factor, run, dtype, problems);
  return tensors.map((tensor) => addsToPrevious(tensor, factor, tensor.pick(run), dtype));
}
