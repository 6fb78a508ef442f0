import { unitRoundoff, type Dtype } from '../engine/dtype.js';
import { firstDifference } from '../engine/first-difference.js';
import { createRng } from '../engine/rng.js';
import { absoluteDot, compensatedDot } from '../engine/summation.js';
import { differentiableView, readAll, readGrad, readInputGradient, saveGrad, writeAll, zeroGrad } from '../layer/gradients.js';
import { resolveInput } from '../layer/input.js';
import { cloneContainer, containerLike, createView } from '../layer/numeric-view.js';
import { outputForm, readOutputInto } from '../layer/output.js';
import { assertParamsAreLive, LayerProtocolError, normalizeParams, type ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { snapshotState } from '../layer/state-snapshot.js';
import { buildReport, defaultsNote } from './build-report.js';
import { checkTensor, type TensorResult } from './check-tensor.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import { checkLinearity } from './linearity.js';
import { DEFAULT_TOLERANCE, validateOptions, type GradientCheckOptions, type ValidatedOptions } from './options.js';
import { backwardMutatesUpstream, forwardMutatesInput, nondeterministicForward, nonFiniteOutput } from './problems.js';
import type { GradientReport, Problem } from './report-types.js';

/**
 * Model bound on the rounding error of one loss sample, in units of u·Σ|r·y|: a few roundings of
 * terms as large as the output's own. Forwards that round more (long reductions, cancellation)
 * show it in the fourth difference of the samples, which `estimateDerivative` takes when larger.
 */
const LOSS_NOISE_FACTOR = 4;

/**
 * Checks a layer's backward pass against central finite differences of the projected loss
 * J = Σ r·forward(x) (r seeded, or J = forward(x) for a scalar loss) and returns plain data.
 * Throws a TypeError for anything that is not a usable layer or options; leaves every value of
 * the layer exactly as it was, also when the layer throws.
 */
export function checkGradients(layer: Layer, options?: GradientCheckOptions): GradientReport {
  const validated = validateOptions(options);
  assertLayer(layer);
  const slots = normalizeParams(layer);
  assertParamsAreLive(layer, slots);
  const savedValues = slots.map((slot) => readAll(slot.value));
  const savedGrads = slots.map((slot) => saveGrad(slot));
  const snapshot = snapshotState(layer);
  try {
    return runCheck(layer, slots, validated);
  } finally {
    snapshot.restore();
    slots.forEach((slot, i) => writeAll(slot.value, savedValues[i]));
    for (const saved of savedGrads) if (saved !== null) writeAll(saved.view, saved.values);
  }
}

function assertLayer(layer: unknown): asserts layer is Layer {
  if (typeof layer !== 'object' || layer === null) {
    throw new LayerProtocolError(
      `Expected a layer object with forward(), backward() and params, but got ${layer === null ? 'null' : typeof layer}.`,
    );
  }
  for (const method of ['forward', 'backward'] as const) {
    if (typeof (layer as Record<string, unknown>)[method] !== 'function') {
      throw new LayerProtocolError(
        `The layer has no ${method}() method. A layer needs forward(input) returning its output and backward(gradOutput) ` +
          'filling its parameter gradients (and returning the input gradient).',
      );
    }
  }
}

function runCheck(layer: Layer, slots: ParamSlot[], options: ValidatedOptions): GradientReport {
  const rng = createRng(options.seed);
  const paramsFloat32 = slots.some((slot) => slot.value.float32);
  const input = resolveInput(layer, options, rng, options.dtype === 'float32' || paramsFloat32);
  const inputView = differentiableView(input);
  const pristineInput = inputView === null ? null : readAll(inputView);

  let forwardCalls = 0;
  let backwardCalls = 0;
  const forward = (): unknown => {
    forwardCalls++;
    return layer.forward(input);
  };
  const problems: Problem[] = [];

  const firstOutput = forward();
  const form = outputForm(firstOutput);
  const dtype: Dtype =
    options.dtype !== 'auto' ? options.dtype : paramsFloat32 || inputView?.float32 || form.float32 ? 'float32' : 'float64';
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE[dtype];
  const settings: GradientReport['settings'] = {
    seed: options.seed,
    dtype,
    epsilon: options.epsilon,
    tolerance,
    richardson: options.richardson,
    defaultsNote: defaultsNote(dtype, options, tolerance),
  };
  const finish = (tensors: TensorResult[], verdictOverride?: 'impossible'): GradientReport =>
    buildReport(tensors, problems, settings, forwardCalls, backwardCalls, verdictOverride);

  const baseOutput = new Float64Array(form.size);
  readOutputInto(firstOutput, form, baseOutput);
  const nonFiniteAt = baseOutput.findIndex((v) => !Number.isFinite(v));
  if (nonFiniteAt >= 0) {
    problems.push(nonFiniteOutput(nonFiniteAt, baseOutput[nonFiniteAt], form.shape));
    return finish([]);
  }
  if (inputView !== null && pristineInput !== null) {
    const changedAt = firstDifference(readAll(inputView), pristineInput);
    if (changedAt >= 0) {
      problems.push(forwardMutatesInput(changedAt, inputView.shape));
      return finish([], 'impossible');
    }
  }
  const secondOutput = new Float64Array(form.size);
  readOutputInto(forward(), form, secondOutput);
  const unstableAt = firstDifference(secondOutput, baseOutput);
  if (unstableAt >= 0) {
    problems.push(nondeterministicForward(unstableAt, baseOutput[unstableAt], secondOutput[unstableAt], form.shape));
    return finish([], 'impossible');
  }

  // The projection r; rounded to the output's storage so the upstream gradient holds exactly r.
  const projection = new Float64Array(form.size);
  if (form.scalar) projection[0] = 1;
  else for (let i = 0; i < form.size; i++) projection[i] = form.float32 ? Math.fround(rng.normal()) : rng.normal();
  const lossOf = (values: Float64Array): number => (form.scalar ? values[0] : compensatedDot(values, projection, form.size));
  const centerLoss = lossOf(baseOutput);
  const lossNoise = LOSS_NOISE_FACTOR * unitRoundoff(dtype) * absoluteDot(baseOutput, projection, form.size);

  const firstOutputTemplate = cloneContainer(firstOutput);
  const runBackward = (scale: number): BackwardGradients => {
    for (const slot of slots) zeroGrad(slot);
    forward();
    const upstreamValues = new Float64Array(form.size);
    for (let i = 0; i < form.size; i++) upstreamValues[i] = scale * projection[i];
    const upstream = form.scalar ? upstreamValues[0] : containerLike(firstOutputTemplate, upstreamValues);
    backwardCalls++;
    const inputGradient = layer.backward(upstream);
    if (!form.scalar && problems.every((p) => p.kind !== 'backward-mutates-upstream')) {
      const after = readAll(createView(upstream, 'the upstream gradient'));
      const changedAt = firstDifference(after, upstreamValues);
      if (changedAt >= 0) {
        problems.push(backwardMutatesUpstream(changedAt, form.shape));
      }
    }
    return { params: slots.map((slot) => readGrad(slot)), input: readInputGradient(inputGradient, inputView, options.checkInput) };
  };

  const analytic = runBackward(1);
  const tensors: CheckedTensor[] = slots.map((slot, i) => ({
    name: slot.name,
    view: slot.value,
    analytic: analytic.params[i],
    pick: (gradients) => gradients.params[i],
  }));
  if (analytic.input !== null && inputView !== null) {
    tensors.push({ name: 'input', view: inputView, analytic: analytic.input, pick: (gradients) => gradients.input });
  }
  if (tensors.length === 0) {
    throw new LayerProtocolError(
      'The layer has no params and its backward() returned no input gradient, so there is nothing to check. ' +
        'Declare params (with grads) or return the input gradient from backward().',
    );
  }
  if (!form.scalar) checkLinearity(tensors, runBackward(2), runBackward(0), dtype, problems);

  const evaluateLoss = (): number => {
    readOutputInto(forward(), form, secondOutput);
    return lossOf(secondOutput);
  };
  const reports = tensors.map((tensor) =>
    checkTensor(tensor, dtype, options, tolerance, centerLoss, lossNoise, evaluateLoss),
  );
  return finish(reports);
}
