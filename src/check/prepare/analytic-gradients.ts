import {
  assertGradsApart,
  beforeBackward,
  decideGradModes,
  gradChannel,
  liveGrads,
  readGrad,
  readingChannel,
  readInputGradients,
  type GradMode,
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
 * allocated them. A computed gradient (a function of the layer's) is not read before the first
 * backward: that run only makes it exist, and the next one measures it.
 */
export function* readAnalyticGradients(check: CheckContext): CheckProcess<void> {
  const { slots, evaluation } = check;
  const computed = slots.map((slot) => slot.gradIsComputed);
  assertGradsApart(slots.filter((slot) => !slot.gradIsComputed));
  // Only grads handed out as copies need their values from before the first backward (`+=` layers are then read as a difference).
  const liveBefore = slots.map((slot, i) => !computed[i] && liveGrads([slot])[0]);
  const beforeFirst = slots.map((slot, i) => (computed[i] ? new Float64Array(0) : beforeBackward([slot], [liveBefore[i]])[0]));
  const firstChannels = slots.map((slot, i) => (computed[i] ? readingChannel(slot) : gradChannel(slot, 'reset')));
  const firstReturned = yield* evaluation.forwardBackward(evaluation.scaledProjection(1), firstChannels);
  const afterFirst = slots.map((slot) => readGrad(slot));
  assertGradsApart(slots);
  const live = liveGrads(slots);
  let afterSecond: Float64Array[] | null = null;
  let secondReturned: unknown = null;
  if (!live.every(Boolean) || computed.some(Boolean)) {
    // Computed gradients that are the layer's own arrays are reset now, before the run that measures them.
    const secondChannels = slots.map((slot, i) => (computed[i] && live[i] ? gradChannel(slot, 'reset') : readingChannel(slot)));
    secondReturned = yield* evaluation.forwardBackward(evaluation.scaledProjection(1), secondChannels);
    afterSecond = slots.map((slot) => readGrad(slot));
  }
  const gradModes = decideGradModes(slots, live, beforeFirst, afterFirst, afterSecond, computed);
  check.channels = slots.map((slot, i) => gradChannel(slot, gradModes[i]));
  check.tensors = checkedTensors(check, {
    params: slots.map((_, i) => analyticOf(gradModes[i], computed[i], beforeFirst[i], afterFirst[i], afterSecond?.[i] ?? null)),
    inputs: readInputGradients(computed.some(Boolean) ? secondReturned : firstReturned, check.inputs, check.options.checkInput),
  });
}

/**
 * Backward's gradient at the projection: the first run's, read as its mode says (a `+=` layer's as
 * the increment); for a computed gradient, the second run's (its first read came after a backward).
 */
function analyticOf(mode: GradMode, computed: boolean, before: Float64Array, afterFirst: Float64Array, afterSecond: Float64Array | null): Float64Array {
  if (computed && afterSecond !== null) return mode === 'accumulate' ? afterSecond.map((v, k) => v - afterFirst[k]) : afterSecond;
  return mode === 'accumulate' ? afterFirst.map((v, k) => v - (before[k] ?? 0)) : afterFirst;
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
