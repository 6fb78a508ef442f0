import {
  assertGradsApart,
  beforeBackward,
  decideGradModes,
  gradChannel,
  liveGrads,
  readGrad,
  readInputGradients,
} from '../../layer/gradients.js';
import { LayerProtocolError } from '../../layer/params.js';
import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import { declaredFactors, undeclared } from './declared-factors.js';

/**
 * The second phase: one backward at the projection gives every analytic gradient, and shows how
 * each gradient must be read afterwards (reset in place, overwritten, or accumulated). Grads that
 * alias values are refused before anything is reset through them, and again once backward has
 * allocated them.
 */
export function* readAnalyticGradients(check: CheckContext): CheckProcess<void> {
  const { slots, evaluation } = check;
  assertGradsApart(slots);
  // Only grads handed out as copies need their values from before the first backward (`+=` layers are then read as a difference).
  const beforeFirst = beforeBackward(slots, liveGrads(slots));
  const resetting = slots.map((slot) => gradChannel(slot, 'reset'));
  const firstReturned = yield* evaluation.forwardBackward(evaluation.scaledProjection(1), resetting);
  const afterFirst = slots.map((slot) => readGrad(slot));
  assertGradsApart(slots);
  const live = liveGrads(slots);
  let afterSecond: Float64Array[] | null = null;
  if (!live.every(Boolean)) {
    yield* evaluation.forwardBackward(evaluation.scaledProjection(1), null);
    afterSecond = slots.map((slot) => readGrad(slot));
  }
  const gradModes = decideGradModes(slots, live, beforeFirst, afterFirst, afterSecond);
  check.channels = slots.map((slot, i) => gradChannel(slot, gradModes[i]));
  check.tensors = checkedTensors(check, {
    params: afterFirst.map((values, i) => (gradModes[i] === 'accumulate' ? values.map((v, k) => v - (beforeFirst[i][k] ?? 0)) : values)),
    inputs: readInputGradients(firstReturned, check.inputs, check.options.checkInput),
  });
}

/** Parameters, then each input backward returned a gradient for; analytic values divided by any declared factor. */
function checkedTensors(check: CheckContext, analytic: BackwardGradients): CheckedTensor[] {
  const { slots, inputs } = check;
  const factors = declaredFactors(check.options.gradientFactor, slots, inputs);
  const tensors: CheckedTensor[] = slots.map((slot, i) => {
    const factor = factors.get(slot.name) ?? 1;
    return { name: slot.name, view: slot.value, gradientFactor: factor, analytic: undeclared(analytic.params[i], factor), pick: (g) => undeclared(g.params[i], factor) };
  });
  inputs.inputs.forEach(({ name, view }, i) => {
    const gradient = analytic.inputs[i];
    const factor = factors.get(name) ?? 1;
    if (gradient !== null && view !== null) {
      tensors.push({ name, view, gradientFactor: factor, analytic: undeclared(gradient, factor), pick: (g) => undeclared(g.inputs[i], factor) });
    }
  });
  if (tensors.length === 0) {
    throw new LayerProtocolError(
      'The layer has no params and its backward() returned no input gradient, so there is nothing to check. ' +
        'Declare params (with grads) or return the input gradient from backward().',
    );
  }
  if (tensors.every((t) => t.view.size === 0)) {
    throw new LayerProtocolError(`Every tensor of the layer (${tensors.map((t) => t.name).join(', ')}) has 0 entries, so there is nothing to check.`);
  }
  return tensors;
}

/** Every gradient after one more forward and backward(upstream), read the way the first backward showed. */
export function* backwardGradients(check: CheckContext, upstream: Float64Array): CheckProcess<BackwardGradients> {
  const returned = yield* check.evaluation.forwardBackward(upstream, check.channels);
  return { params: check.channels.map((channel) => channel.collect()), inputs: readInputGradients(returned, check.inputs, check.options.checkInput) };
}
