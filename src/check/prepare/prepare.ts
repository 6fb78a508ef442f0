import type { Dtype } from '../../engine/dtype.js';
import { firstDifference } from '../../engine/first-difference.js';
import { createRng } from '../../engine/rng.js';
import { inputAccess, type InputsAccess } from '../../layer/gradients.js';
import { resolveInput } from '../../layer/input.js';
import { readAll } from '../../layer/numeric-view.js';
import { outputForm, readOutputInto } from '../../layer/output.js';
import { INPUT_NAME, type ParamSlot } from '../../layer/params.js';
import type { Layer } from '../../layer/protocol.js';
import type { Budget } from '../budget.js';
import type { Clock } from '../clock.js';
import type { CheckContext } from '../context.js';
import { call, type CheckProcess } from '../layer-call.js';
import { DEFAULT_TOLERANCE, type ValidatedOptions } from '../options.js';
import { forwardMutatesInput } from '../problems.js';
import type { GradientReport, Problem } from '../report-types.js';
import { trackProgress } from '../sweep/progress.js';
import { createSweepContext } from '../sweep/sweep-context.js';
import { defaultsNote } from './defaults-note.js';
import { createEvaluation, type CallCounts } from './evaluation.js';
import { assertFiniteInputs, assertFiniteOutput, resolveDtype } from './preconditions.js';

/**
 * Input tensors are reported under their own names; one that a parameter already uses (a parameter
 * called `query` beside an input `query`) becomes `input.query`. A parameter called `input` beside
 * the layer's input becomes `params.input`; in a layer without input it keeps its name.
 */
function inputTensorNames(names: readonly string[], slots: ParamSlot[]): string[] {
  if (names.includes(INPUT_NAME)) for (const slot of slots) if (slot.name === INPUT_NAME) slot.name = `params.${INPUT_NAME}`;
  const taken = new Set(slots.map((slot) => slot.name));
  return names.map((name) => (name !== INPUT_NAME && taken.has(name) ? `${INPUT_NAME}.${name}` : name));
}

function settingsOf(dtype: Dtype, options: ValidatedOptions, tolerance: number): GradientReport['settings'] {
  return {
    seed: options.seed,
    dtype,
    epsilon: options.epsilon,
    tolerance,
    richardson: options.richardson,
    allowInconclusive: options.allowInconclusive,
    defaultsNote: defaultsNote(dtype, options, tolerance),
  };
}

/** forward() must not change its input: each evaluation would see a different one. */
function inputMutation(inputs: InputsAccess, pristine: (Float64Array | null)[]): Problem | null {
  for (const [i, { view, name }] of inputs.inputs.entries()) {
    const before = pristine[i];
    if (view === null || before === null) continue;
    const changedAt = firstDifference(readAll(view), before);
    if (changedAt >= 0) return forwardMutatesInput(view.position(changedAt), name);
  }
  return null;
}

/**
 * The first phase: the inputs (the check's own copies), the first forward call, the output's form
 * and dtype, the projected loss, and forward's contract (finite, and leaving its input alone). A
 * broken contract is recorded as an impossible problem, which ends the check after this phase.
 */
export function* prepare(layer: Layer, slots: ParamSlot[], options: ValidatedOptions, clock: Clock, budget: Budget): CheckProcess<CheckContext> {
  const started = clock();
  // One stream: a generated input draws first, then the projection.
  const rng = createRng(options.seed);
  const input = resolveInput(layer, options, rng, options.dtype === 'float32' || slots.some((slot) => slot.value.float32));
  const names = inputTensorNames(input.names, slots);
  const inputs: InputsAccess = { inputs: input.values.map((value, i) => inputAccess(value, input.source, names[i], input.names[i])), multiple: input.multiple };
  assertFiniteInputs(inputs.inputs, input);
  const pristine = inputs.inputs.map(({ view }) => (view === null ? null : readAll(view)));

  const calls: CallCounts = { forward: 0, backward: 0 };
  const forwardCall = call('forward()', () => {
    calls.forward++;
    return layer.forward(...input.values);
  });
  const firstOutput = yield forwardCall;
  const form = outputForm(firstOutput);
  const dtype = resolveDtype(options.dtype, slots, inputs.inputs, form);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE[dtype];
  const baseOutput = new Float64Array(form.size);
  readOutputInto(firstOutput, form, baseOutput);
  assertFiniteOutput(baseOutput, form, input, inputs.inputs);
  const problems: Problem[] = [];
  const mutation = inputMutation(inputs, pristine);
  if (mutation !== null) problems.push(mutation);

  const evaluation = createEvaluation({ layer, slots, form, firstOutput, baseOutput, forwardCall, dtype, rng, calls, problems });
  const progress = trackProgress({ onProgress: options.onProgress, elapsed: () => clock() - started, forwardCalls: () => calls.forward });
  const sweep = createSweepContext({ dtype, options, tolerance, lossNoise: evaluation.lossNoise, forwardCall, lossChange: evaluation.lossChange, watch: evaluation.watch, progress,
    evaluationsLeft: () => options.maxEvaluations - budget.evaluations,
  });
  return {
    layer,
    slots,
    options,
    clock,
    started,
    budget,
    stop: null,
    input,
    inputs,
    form,
    dtype,
    tolerance,
    settings: settingsOf(dtype, options, tolerance),
    evaluation,
    calls,
    problems,
    progress,
    sweep,
    mode: { kind: 'exhaustive', reason: 'not reached: the check stopped before planning', blockSize: null, shard: options.shard },
    tensors: [],
    channels: [],
    accumulating: new Set(),
    records: [],
    neededEvaluations: null,
    gradientScaleFrom: 'gradients',
  };
}
