import { unitRoundoff, type Dtype } from '../engine/dtype.js';
import { firstDifference } from '../engine/first-difference.js';
import { createRng } from '../engine/rng.js';
import { absoluteDot, compensatedDot } from '../engine/summation.js';
import { containerLike, deepCopy } from '../layer/container-copy.js';
import {
  assertGradsApart,
  beforeBackward,
  detectGradModes,
  gradChannel,
  inputAccess,
  readAll,
  readGrad,
  readInputGradient,
  saveGrad,
  writeAll,
  type GradChannel,
} from '../layer/gradients.js';
import { resolveInput } from '../layer/input.js';
import { createView } from '../layer/numeric-view.js';
import { outputForm, readOutputInto, type OutputForm } from '../layer/output.js';
import { assertFiniteParams, assertParamsAreLive, INPUT_NAME, LayerProtocolError, normalizeParams, type ParamSlot } from '../layer/params.js';
import { isThenable, silenceRejection } from '../layer/promise.js';
import type { Layer } from '../layer/protocol.js';
import { snapshotState } from '../layer/state-snapshot.js';
import { buildReport, defaultsNote } from './build-report.js';
import { measureTensor, type SweepContext } from './check-tensor.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import { createDeterminismWatch, NondeterminismFound } from './determinism.js';
import { explainInconclusive } from './inconclusive-cause.js';
import { checkLinearity } from './linearity.js';
import { assertFiniteInput, assertFiniteOutput, resolveDtype } from './preconditions.js';
import { DEFAULT_TOLERANCE, validateOptions, type GradientCheckOptions, type ValidatedOptions } from './options.js';
import { backwardMutatesUpstream, forwardMutatesInput, stateNotRestored } from './problems.js';
import type { GradientReport, Problem } from './report-types.js';
import { resolveTensors, type TensorResult } from './resolution.js';

/**
 * Model bound on the rounding error of one loss sample, in units of u·Σ|r·y|: a few roundings of
 * terms as large as the output's own. Forwards that round more (long reductions, cancellation)
 * show it in the fourth difference of the samples, which `estimateDerivative` takes when larger.
 */
const LOSS_NOISE_FACTOR = 4;

/** Thrown when the layer threw (or the check failed) and the layer could not be put back as it was either. */
export class LayerStateError extends Error {}

/**
 * Checks a layer's backward pass against central finite differences of the projected loss
 * J = Σ r·forward(x) (r seeded, or J = forward(x) for a scalar loss) and returns plain data.
 * Throws a TypeError for anything that is not a usable layer, input or options; the layer's own
 * errors pass through unchanged. Leaves every observable value of the layer exactly as it was,
 * also when the layer throws, and reports (never silently) anything it could not put back.
 */
export function checkGradients(layer: Layer, options?: GradientCheckOptions): GradientReport {
  const validated = validateOptions(options);
  assertLayer(layer);
  // Taken before anything runs layer code: a params getter may initialize state lazily.
  const snapshot = snapshotState(layer);
  let report: GradientReport | null = null;
  let thrown: { error: unknown } | null = null;
  try {
    report = checkWithSavedParams(layer, validated);
  } catch (error) {
    thrown = { error };
  }
  const unrestored = [...snapshot.uninspectable, ...snapshot.restore()];
  if (thrown !== null) {
    if (unrestored.length === 0) throw thrown.error;
    throw new LayerStateError(`${stateNotRestored(unrestored).message} (The check stopped with: ${String((thrown.error as Error)?.message ?? thrown.error)})`, {
      cause: thrown.error,
    });
  }
  if (report !== null && unrestored.length > 0) {
    const problems = [...report.problems, stateNotRestored(unrestored)];
    return { ...report, problems, pass: false, verdict: 'impossible' };
  }
  return report as GradientReport;
}

/** Reads the parameters, runs the check, and assigns every parameter value and gradient back. */
function checkWithSavedParams(layer: Layer, options: ValidatedOptions): GradientReport {
  const slots = normalizeParams(layer);
  assertFiniteParams(slots);
  assertParamsAreLive(layer, slots);
  const savedValues = slots.map((slot) => readAll(slot.value));
  const savedGrads = slots.map((slot) => saveGrad(slot));
  try {
    return runCheck(layer, slots, options);
  } finally {
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
  const access = inputAccess(input.value, input.source);
  const inputView = access.view;
  assertFiniteInput(inputView, input);
  const pristineInput = inputView === null ? null : readAll(inputView);

  let forwardCalls = 0;
  let backwardCalls = 0;
  const forward = (): unknown => {
    forwardCalls++;
    return layer.forward(input.value);
  };
  const problems: Problem[] = [];

  const firstOutput = forward();
  const form = outputForm(firstOutput);
  const dtype = resolveDtype(options.dtype, slots, inputView, form);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE[dtype];
  const settings: GradientReport['settings'] = {
    seed: options.seed,
    dtype,
    epsilon: options.epsilon,
    tolerance,
    richardson: options.richardson,
    allowInconclusive: options.allowInconclusive,
    defaultsNote: defaultsNote(dtype, options, tolerance),
  };
  let determinismChecks = 0;
  const finishWithoutTensors = (): GradientReport =>
    buildReport({
      tensors: [],
      problems,
      settings,
      gradientScale: 0,
      absoluteTolerance: 0,
      inconclusive: null,
      forwardCalls,
      backwardCalls,
      determinismChecks,
    });

  const baseOutput = new Float64Array(form.size);
  readOutputInto(firstOutput, form, baseOutput);
  assertFiniteOutput(baseOutput, form, input, inputView);
  if (inputView !== null && pristineInput !== null) {
    const changedAt = firstDifference(readAll(inputView), pristineInput);
    if (changedAt >= 0) {
      problems.push(forwardMutatesInput(inputView.position(changedAt)));
      return finishWithoutTensors();
    }
  }
  const scratchOutput = new Float64Array(form.size);
  const evaluateInto = (target: Float64Array): void => readOutputInto(forward(), form, target);
  const watch = createDeterminismWatch({ baseOutput, evaluateInto, position: form.position });

  // The projection r; rounded to the output's storage so the upstream gradient holds exactly r.
  const projection = new Float64Array(form.size);
  if (form.scalar) projection[0] = 1;
  else for (let i = 0; i < form.size; i++) projection[i] = form.float32 ? Math.fround(rng.normal()) : rng.normal();
  const lossOf = (values: Float64Array): number => (form.scalar ? values[0] : compensatedDot(values, projection, form.size));
  const centerLoss = lossOf(baseOutput);
  const lossNoise = LOSS_NOISE_FACTOR * unitRoundoff(dtype) * absoluteDot(baseOutput, projection, form.size);

  // Deep: the layer may reuse (and overwrite) its output object on the next forward.
  const outputTemplate = deepCopy(firstOutput);
  /** One forward at the unperturbed point (its output is evidence of determinism too) and one backward(scale·r). */
  const forwardBackward = (scale: number, channels: GradChannel[] | null): { returned: unknown } => {
    if (channels !== null) for (const channel of channels) channel.prepare();
    evaluateInto(scratchOutput);
    watch.compare(scratchOutput, 'before a backward call');
    const upstreamValues = new Float64Array(form.size);
    for (let i = 0; i < form.size; i++) upstreamValues[i] = scale * projection[i];
    const upstream = form.scalar ? upstreamValues[0] : containerLike(outputTemplate, upstreamValues);
    backwardCalls++;
    const returned = layer.backward(upstream);
    if (isThenable(returned)) {
      silenceRejection(returned);
      throw new LayerProtocolError(
        'backward() returned a Promise; the checker calls forward and backward synchronously and would read gradients that are not there yet. ' +
          'Async layers are not supported yet: compute the gradients synchronously (e.g. dataSync() instead of await data()).',
      );
    }
    if (!form.scalar && problems.every((p) => p.kind !== 'backward-mutates-upstream')) {
      const after = readAll(createView(upstream, 'the upstream gradient', { allowRagged: true }));
      const changedAt = firstDifference(after, upstreamValues);
      if (changedAt >= 0) problems.push(backwardMutatesUpstream(form.position(changedAt)));
    }
    return { returned };
  };

  let analytic: BackwardGradients;
  let channels: GradChannel[];
  let tensors: CheckedTensor[];
  try {
    // First backward: reset what can be reset, then learn how each gradient must be read. Grads
    // that alias values are refused before anything is reset through them (and again once
    // backward has allocated them).
    assertGradsApart(slots);
    const beforeFirst = beforeBackward(slots);
    const resetting = slots.map((slot) => gradChannel(slot, 'reset'));
    const first = forwardBackward(1, resetting);
    const afterFirst = slots.map((slot) => readGrad(slot));
    assertGradsApart(slots);
    const modes = detectGradModes(slots, beforeFirst, afterFirst, () => {
      forwardBackward(1, null);
      return slots.map((slot) => readGrad(slot));
    });
    channels = slots.map((slot, i) => gradChannel(slot, modes[i]));
    analytic = {
      params: afterFirst.map((values, i) => (modes[i] === 'accumulate' ? values.map((v, k) => v - beforeFirst[i][k]) : values)),
      input: readInputGradient(first.returned, access, options.checkInput),
    };
    tensors = slots.map((slot, i) => ({ name: slot.name, view: slot.value, analytic: analytic.params[i], pick: (g) => g.params[i] }));
    if (analytic.input !== null && inputView !== null) {
      tensors.push({ name: INPUT_NAME, view: inputView, analytic: analytic.input, pick: (g) => g.input });
    }
    if (tensors.length === 0) {
      throw new LayerProtocolError(
        'The layer has no params and its backward() returned no input gradient, so there is nothing to check. ' +
          'Declare params (with grads) or return the input gradient from backward().',
      );
    }
    const plannedEntries = tensors.reduce((n, t) => n + t.view.size, 0);
    if (plannedEntries === 0) {
      throw new LayerProtocolError(`Every tensor of the layer (${tensors.map((t) => t.name).join(', ')}) has 0 entries, so there is nothing to check.`);
    }
    watch.plan(plannedEntries);
    const runBackward = (scale: number): BackwardGradients => {
      const { returned } = forwardBackward(scale, channels);
      return { params: channels.map((channel) => channel.collect()), input: readInputGradient(returned, access, options.checkInput) };
    };
    if (!form.scalar) checkLinearity(tensors, runBackward(2), runBackward(0), dtype, problems);

    const context: SweepContext = {
      dtype,
      options,
      tolerance,
      centerLoss,
      lossNoise,
      evaluateLoss: () => {
        evaluateInto(scratchOutput);
        return lossOf(scratchOutput);
      },
      afterEntry: (suspicious) => watch.afterEntry(suspicious),
    };
    const measurements = tensors.map((tensor) => measureTensor(tensor, context));
    determinismChecks = watch.checks;
    const resolved = resolveTensors(measurements, tolerance, dtype);
    return buildReport({
      tensors: resolved.tensors,
      problems,
      settings,
      gradientScale: resolved.gradientScale,
      absoluteTolerance: resolved.absoluteTolerance,
      inconclusive: inconclusiveExplanation(resolved.tensors, { dtype, options, tolerance, baseOutput, form, lossNoise, gradientScale: resolved.gradientScale }),
      forwardCalls,
      backwardCalls,
      determinismChecks,
    });
  } catch (error) {
    if (!(error instanceof NondeterminismFound)) throw error;
    determinismChecks = watch.checks;
    problems.push(error.problem);
    return finishWithoutTensors();
  }
}

function inconclusiveExplanation(
  tensors: TensorResult[],
  facts: { dtype: Dtype; options: ValidatedOptions; tolerance: number; baseOutput: Float64Array; form: OutputForm; lossNoise: number; gradientScale: number },
): ReturnType<typeof explainInconclusive> | null {
  if (tensors.every((t) => t.inconclusive.length === 0)) return null;
  return explainInconclusive({
    dtype: facts.dtype,
    epsilon: facts.options.epsilon,
    tolerance: facts.tolerance,
    gradientScale: facts.gradientScale,
    baseOutput: facts.baseOutput,
    scalarLoss: facts.form.scalar,
    lossNoise: facts.lossNoise,
    tensors,
  });
}
