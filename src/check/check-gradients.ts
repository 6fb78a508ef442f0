import { estimateDerivative, type DerivativeEstimate, type LossSamples } from '../engine/central-difference.js';
import { judgeEntry } from '../engine/compare.js';
import { unitRoundoff, type Dtype } from '../engine/dtype.js';
import { errorBand, normalizedError } from '../engine/normalized-error.js';
import { createRng } from '../engine/rng.js';
import { autoStep, storedSteps } from '../engine/step-size.js';
import { absoluteDot, compensatedDot } from '../engine/summation.js';
import { resolveInput } from '../layer/input.js';
import { cloneContainer, containerLike, createView, isNumericContainer, positionOf, type NumericView } from '../layer/numeric-view.js';
import { outputForm, readOutputInto, type OutputForm } from '../layer/output.js';
import { assertParamsAreLive, LayerProtocolError, normalizeParams, type ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { snapshotState } from '../layer/state-snapshot.js';
import { compareFailures } from './failure-order.js';
import { DEFAULT_TOLERANCE, validateOptions, type GradientCheckOptions, type ValidatedOptions } from './options.js';
import type { EntryFailure, GradientReport, KinkEntry, Problem, TensorReport } from './report-types.js';

/**
 * Model bound on the rounding error of one loss sample, in units of u·Σ|r·y|: a few roundings of
 * terms as large as the output's own. Forwards that round more (long reductions, cancellation)
 * show it in the fourth difference of the samples, which `estimateDerivative` takes when larger.
 */
const LOSS_NOISE_FACTOR = 4;

/** Longer steps tried, in turn, for entries whose error budget is dominated by rounding. */
const STEP_GROWTH = 8;
const MAX_STEP_GROWTH = 64;
/** Share of the tolerance that rounding error must reach before longer steps are tried. */
const NOISE_LIMITED_SHARE = 0.1;

/** backward must be linear in its upstream gradient; scaling by 2 is exact in binary floating point. */
const LINEARITY_TOLERANCE: Record<Dtype, number> = { float64: 1e-10, float32: 1e-5 };

interface CheckedTensor {
  name: string;
  view: NumericView;
  analytic: Float64Array;
  /** Picks this tensor's gradient out of one backward run. */
  pick(gradients: BackwardGradients): Float64Array | null;
}

interface BackwardGradients {
  params: Float64Array[];
  input: Float64Array | null;
}

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

function readAll(view: NumericView): Float64Array {
  const values = new Float64Array(view.size);
  view.readInto(values);
  return values;
}

function writeAll(view: NumericView, values: Float64Array): void {
  for (let i = 0; i < view.size; i++) view.set(i, values[i]);
}

function saveGrad(slot: ParamSlot): { view: NumericView; values: Float64Array } | null {
  const container = slot.gradContainer();
  if (!isNumericContainer(container)) return null;
  const view = createView(container, `gradient of '${slot.name}'`);
  return { view, values: readAll(view) };
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
  const finish = (tensors: Array<TensorReport & { reference: Float64Array }>, verdictOverride?: 'impossible'): GradientReport =>
    buildReport(tensors, problems, settings, forwardCalls, backwardCalls, verdictOverride);

  const baseOutput = new Float64Array(form.size);
  readOutputInto(firstOutput, form, baseOutput);
  const nonFiniteAt = baseOutput.findIndex((v) => !Number.isFinite(v));
  if (nonFiniteAt >= 0) {
    problems.push({
      kind: 'non-finite-output',
      severity: 'failure',
      position: positionOf(nonFiniteAt, form.shape),
      message: `forward() returned ${baseOutput[nonFiniteAt]} at output${formatPosition(positionOf(nonFiniteAt, form.shape))} before any perturbation; gradients of a non-finite output cannot be checked.`,
    });
    return finish([]);
  }
  if (inputView !== null && pristineInput !== null) {
    const changedAt = firstDifference(readAll(inputView), pristineInput);
    if (changedAt >= 0) {
      problems.push({
        kind: 'forward-mutates-input',
        severity: 'impossible',
        tensor: 'input',
        position: positionOf(changedAt, inputView.shape),
        message:
          `forward() changed its input at input${formatPosition(positionOf(changedAt, inputView.shape))}. ` +
          'Each evaluation would then see a different input, so finite differences mean nothing; compute into a new array instead.',
      });
      return finish([], 'impossible');
    }
  }
  const secondOutput = new Float64Array(form.size);
  readOutputInto(forward(), form, secondOutput);
  const unstableAt = firstDifference(secondOutput, baseOutput);
  if (unstableAt >= 0) {
    problems.push({
      kind: 'nondeterministic-forward',
      severity: 'impossible',
      position: positionOf(unstableAt, form.shape),
      message:
        `forward() returned different values for the same parameters and input (output${formatPosition(positionOf(unstableAt, form.shape))}: ` +
        `${baseOutput[unstableAt]} then ${secondOutput[unstableAt]}). Finite differences need a deterministic forward: ` +
        'switch dropout to eval mode, fix random sampling with a seed, or reset hidden state between calls.',
    });
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
        problems.push({
          kind: 'backward-mutates-upstream',
          severity: 'failure',
          position: positionOf(changedAt, form.shape),
          message:
            `backward() changed the upstream gradient it was given (at ${formatPosition(positionOf(changedAt, form.shape))}). ` +
            'In a network that gradient belongs to the next layer; write into a new array instead.',
        });
      }
    }
    return { params: slots.map((slot) => readGrad(slot)), input: readInputGradient(inputGradient, inputView, options) };
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

/** Fills `samples` with J at θ ± h and θ ± h/2 for entry `index`, then assigns θ back exactly. */
function sampleLoss(
  view: NumericView,
  index: number,
  original: number,
  step: number,
  samples: LossSamples,
  evaluateLoss: () => number,
  name: string,
): void {
  samples.steps = storedSteps(original, step, view.stored);
  samples.halfSteps = storedSteps(original, step / 2, view.stored);
  if (samples.halfSteps.plus <= 0 || samples.halfSteps.minus <= 0) {
    throw new RangeError(
      `epsilon ${step} is too small for ${name}${formatPosition(positionOf(index, view.shape))} = ${original} in ${view.float32 ? 'float32' : 'float64'} ` +
        "storage: the perturbed value rounds back to the original. Use epsilon: 'auto' or a larger step.",
    );
  }
  try {
    view.set(index, original + samples.steps.plus);
    samples.plus = evaluateLoss();
    view.set(index, original - samples.steps.minus);
    samples.minus = evaluateLoss();
    view.set(index, original + samples.halfSteps.plus);
    samples.plusHalf = evaluateLoss();
    view.set(index, original - samples.halfSteps.minus);
    samples.minusHalf = evaluateLoss();
  } finally {
    // Assign the saved value back: θ + h − h need not round to θ.
    view.set(index, original);
  }
}

function differentiableView(input: unknown): NumericView | null {
  if (!isNumericContainer(input)) return null;
  try {
    return createView(input, 'input');
  } catch {
    // Inputs that are not plain float arrays (token ids in objects, masks…) are passed through unchecked.
    return null;
  }
}

function zeroGrad(slot: ParamSlot): void {
  const container = slot.gradContainer();
  if (!isNumericContainer(container)) return;
  const view = createView(container, `gradient of '${slot.name}'`);
  for (let i = 0; i < view.size; i++) view.set(i, 0);
}

function readGrad(slot: ParamSlot): Float64Array {
  const container = slot.gradContainer();
  if (container === undefined || container === null) {
    throw new LayerProtocolError(
      `After backward() there is no gradient for parameter '${slot.name}'. backward() must fill (or assign) the gradient of every parameter.`,
    );
  }
  const view = createView(container, `gradient of '${slot.name}'`);
  if (view.size !== slot.value.size) {
    throw new LayerProtocolError(
      `The gradient of '${slot.name}' has ${view.size} entries but the parameter has ${slot.value.size}; they must have the same shape.`,
    );
  }
  return readAll(view);
}

function readInputGradient(returned: unknown, inputView: NumericView | null, options: ValidatedOptions): Float64Array | null {
  if (returned === undefined || returned === null || inputView === null || !options.checkInput) return null;
  if (!isNumericContainer(returned)) {
    throw new LayerProtocolError(
      `backward() returned ${typeof returned}; it must return the input gradient (in the input's form) or nothing.`,
    );
  }
  const view = createView(returned, 'the input gradient returned by backward()');
  if (view.size !== inputView.size) {
    throw new LayerProtocolError(
      `backward() returned an input gradient of ${view.size} entries for an input of ${inputView.size}; they must have the same shape.`,
    );
  }
  return readAll(view);
}

function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return i;
  return -1;
}

/** backward(2r) must equal 2·backward(r) and backward(0) must be 0: a gradient that ignores r fails this for every r. */
function checkLinearity(
  tensors: CheckedTensor[],
  doubled: BackwardGradients,
  zero: BackwardGradients,
  dtype: Dtype,
  problems: Problem[],
): void {
  for (const tensor of tensors) {
    const twice = tensor.pick(doubled);
    const none = tensor.pick(zero);
    if (twice === null || none === null) {
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
      if (Math.abs(none[i]) > slack || Number.isNaN(none[i])) {
        problems.push({
          kind: 'backward-not-linear',
          severity: 'failure',
          tensor: tensor.name,
          position: positionOf(i, tensor.view.shape),
          message:
            `The gradient of '${tensor.name}' is not zero for a zero upstream gradient: at ${tensor.name}${formatPosition(positionOf(i, tensor.view.shape))} backward(0) gives ${none[i]}. ` +
            'Either the multiply by the upstream gradient is missing, or backward adds a term of its own (weight decay, a regularizer) that belongs in the loss.',
        });
        break;
      }
      if (Math.abs(twice[i] - 2 * tensor.analytic[i]) > slack || Number.isNaN(twice[i])) {
        problems.push({
          kind: 'backward-not-linear',
          severity: 'failure',
          tensor: tensor.name,
          position: positionOf(i, tensor.view.shape),
          message:
            `The gradient of '${tensor.name}' is not linear in the upstream gradient: at ${tensor.name}${formatPosition(positionOf(i, tensor.view.shape))} ` +
            `backward(r) gives ${tensor.analytic[i]} but backward(2r) gives ${twice[i]}. Is the chain-rule multiply by the upstream gradient missing?`,
        });
        break;
      }
    }
  }
}

function checkTensor(
  tensor: CheckedTensor,
  dtype: Dtype,
  options: ValidatedOptions,
  tolerance: number,
  centerLoss: number,
  lossNoise: number,
  evaluateLoss: () => number,
): TensorReport & { reference: Float64Array } {
  const { view, analytic } = tensor;
  const numeric = new Float64Array(view.size);
  const reference = new Float64Array(view.size);
  const errorEstimates = new Float64Array(view.size);
  const failures: EntryFailure[] = [];
  const kinks: KinkEntry[] = [];
  const samples: LossSamples = {
    center: centerLoss,
    plus: 0,
    minus: 0,
    plusHalf: 0,
    minusHalf: 0,
    steps: { plus: 0, minus: 0 },
    halfSteps: { plus: 0, minus: 0 },
  };
  for (let i = 0; i < view.size; i++) {
    const original = view.get(i);
    const step = options.epsilon === 'auto' ? autoStep(original, dtype) : options.epsilon;
    const measure = (requested: number): DerivativeEstimate => {
      sampleLoss(view, i, original, requested, samples, evaluateLoss, tensor.name);
      return estimateDerivative(samples, lossNoise, options.richardson);
    };
    let estimate = measure(step);
    // A noise-limited entry (rounding dominates and is a sizeable share of the tolerance, e.g. a
    // loss of 1e6, quantized at 0.06 in float32) is re-measured with longer steps: rounding error
    // falls as 1/h while truncation grows as h², so the estimate with the smaller error budget wins.
    for (let growth = STEP_GROWTH; options.epsilon === 'auto' && growth <= MAX_STEP_GROWTH; growth *= STEP_GROWTH) {
      const noiseLimited =
        estimate.kink === null &&
        estimate.roundingError > 4 * estimate.truncationError &&
        estimate.errorEstimate > NOISE_LIMITED_SHARE * tolerance * Math.abs(estimate.numeric);
      if (!noiseLimited) break;
      const wider = measure(step * growth);
      if (wider.kink !== null || !(wider.errorEstimate < estimate.errorEstimate)) break;
      estimate = wider;
    }
    const verdict = judgeEntry(analytic[i], estimate, tolerance);
    numeric[i] = estimate.numeric;
    reference[i] = Number.isFinite(verdict.reference) ? verdict.reference : 0;
    errorEstimates[i] = estimate.errorEstimate;
    if (verdict.kind === 'kink' && estimate.kink !== null) {
      kinks.push({ index: i, position: positionOf(i, view.shape), analytic: analytic[i], lower: estimate.kink.lower, upper: estimate.kink.upper });
    } else if (!verdict.pass) {
      failures.push({
        index: i,
        position: positionOf(i, view.shape),
        analytic: analytic[i],
        numeric: estimate.numeric,
        error: verdict.error,
        errorEstimate: Number.isFinite(estimate.errorEstimate) ? estimate.errorEstimate : Infinity,
        allowed: verdict.allowed,
        stepUsed: estimate.stepUsed,
        kind: verdict.kind === 'kink-outside' ? 'kink-outside' : verdict.kind === 'non-finite' ? 'non-finite' : 'mismatch',
      });
    }
  }
  failures.sort(compareFailures);
  const finiteAnalytic = analytic.map((v) => (Number.isFinite(v) ? v : 0));
  const tensorError = normalizedError(reference, finiteAnalytic, view.size);
  return {
    name: tensor.name,
    shape: [...view.shape],
    size: view.size,
    dtype,
    pass: failures.length === 0,
    normalizedError: tensorError,
    band: errorBand(tensorError),
    failures,
    kinks,
    analytic,
    numeric,
    errorEstimate: errorEstimates,
    reference,
  };
}

function buildReport(
  checked: Array<TensorReport & { reference: Float64Array }>,
  problems: Problem[],
  settings: GradientReport['settings'],
  forwardCalls: number,
  backwardCalls: number,
  verdictOverride?: 'impossible',
): GradientReport {
  const tensors: TensorReport[] = checked.map(({ reference: _reference, ...tensor }) => tensor);
  for (const problem of problems) {
    const tensor = tensors.find((t) => t.name === problem.tensor);
    if (tensor !== undefined && problem.severity === 'failure') tensor.pass = false;
  }
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const allReference = new Float64Array(total);
  const allAnalytic = new Float64Array(total);
  let offset = 0;
  for (const tensor of checked) {
    allReference.set(tensor.reference, offset);
    for (let i = 0; i < tensor.size; i++) allAnalytic[offset + i] = Number.isFinite(tensor.analytic[i]) ? tensor.analytic[i] : 0;
    offset += tensor.size;
  }
  const overall = normalizedError(allReference, allAnalytic, total);
  const pass = verdictOverride === undefined && problems.length === 0 && tensors.every((t) => t.pass);
  return {
    pass,
    verdict: verdictOverride ?? (pass ? 'pass' : 'fail'),
    normalizedError: overall,
    band: errorBand(overall),
    tensors,
    problems,
    kinkCount: tensors.reduce((n, t) => n + t.kinks.length, 0),
    forwardCalls,
    backwardCalls,
    settings,
  };
}

/** Which step and tolerance applied and where they came from, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
function defaultsNote(dtype: Dtype, options: ValidatedOptions, tolerance: number): string {
  const short = (x: number): string => (x >= 1e-3 && x < 1e4 ? String(x) : x.toExponential().replace('e+', 'e'));
  const epsilon = options.epsilon === 'auto' ? `epsilon auto = ${autoStep(1, dtype).toExponential(1)}·max(1, |θ|)` : `epsilon ${short(options.epsilon)}`;
  const given = [options.epsilon !== 'auto' ? 'epsilon' : '', options.tolerance !== undefined ? 'tolerance' : ''].filter((g) => g !== '');
  const values = `${epsilon}, tolerance ${short(tolerance)}`;
  return given.length === 0 ? `${dtype} defaults (${values})` : `${dtype}, ${values} (${given.join(' and ')} given)`;
}

export function formatPosition(position: readonly number[]): string {
  return `[${position.join(',')}]`;
}
