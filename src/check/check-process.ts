import { unitRoundoff } from '../engine/dtype.js';
import { firstDifference } from '../engine/first-difference.js';
import { createRng } from '../engine/rng.js';
import { absoluteDot, differenceDot } from '../engine/summation.js';
import { containerLike, deepCopy } from '../layer/container-copy.js';
import {
  assertGradsApart,
  beforeBackward,
  decideGradModes,
  gradChannel,
  inputAccess,
  type InputsAccess,
  liveGrads,
  readGrad,
  readInputGradients,
  refreshGradReads,
  saveGrad,
  type GradChannel,
} from '../layer/gradients.js';
import { resolveInput } from '../layer/input.js';
import { createView, readAll, writeAll, type NumericView } from '../layer/numeric-view.js';
import { outputForm, readOutputInto } from '../layer/output.js';
import { assertFiniteParams, assertParamsAreLive, INPUT_NAME, LayerProtocolError, normalizeParams, type ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { type RestoreFailure, snapshotState } from '../layer/state-snapshot.js';
import { buildReport, defaultsNote } from './build-report.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import { createDeterminismWatch, NondeterminismFound } from './determinism.js';
import { probeGradientScale } from './gradient-scale-probe.js';
import { explainInconclusive } from './inconclusive-cause.js';
import { call, type CheckProcess } from './layer-call.js';
import { diagnoseTensor, withSharedConvention } from './diagnose.js';
import { batchRowCount, checkLinearity, showsAccumulation, unchangedOn } from './linearity.js';
import { checkCoupledKinks } from './modes/coupled-kinks.js';
import { measureEntries } from './modes/exhaustive.js';
import { planCheck, type Plan } from './modes/plan.js';
import { projectTensor } from './modes/projection.js';
import type { SweepContext } from './modes/sweep-context.js';
import { DEFAULT_TOLERANCE, OptionsError, type ValidatedOptions } from './options.js';
import { escapeText } from '../layer/describe-value.js';
import { assertFiniteInputs, assertFiniteOutput, resolveDtype } from './preconditions.js';
import { backwardMutatesUpstream, forwardMutatesInput, stateNotRestored } from './problems.js';
import { progressReporter, type CheckProgress } from './progress.js';
import type { CheckMode, GradientReport, Problem } from './report-types.js';
import { resolveTensors } from './resolution.js';
import { inShard, sampleEntries, shardEntries } from './scope.js';
import { createRecord, type TensorRecord } from './tensor-record.js';

/**
 * Model bound on the rounding error of one loss sample, in units of u·Σ|r·y|: a few roundings of
 * terms as large as the output's own. Forwards that round more (long reductions, cancellation)
 * show it in the fourth difference of the samples, which `estimateDerivative` takes when larger.
 */
const LOSS_NOISE_FACTOR = 4;

/** Mode 'auto' plans from the measured speed; past this multiple of maxSeconds it stops and says what it did not reach. */
const HARD_LIMIT_FACTOR = 4;

/** Thrown when the layer threw (or the check failed) and the layer could not be put back as it was either. */
export class LayerStateError extends Error {}

/** A monotonic clock in seconds (injected, so tests can run the planner on a virtual one). */
export type Clock = () => number;

// Jest before 27 runs tests in a node environment without the `performance` global.
export const wallClock: Clock =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() / 1000 : () => Date.now() / 1000;

/**
 * The whole check as one process: snapshot, check, restore. It yields every call into the layer,
 * so one driver runs it synchronously and another asynchronously (see layer-call.ts).
 */
export function* checkProcess(layer: Layer, options: ValidatedOptions, clock: Clock): CheckProcess<GradientReport> {
  // Taken before anything runs layer code: a params getter may initialize state lazily.
  const snapshot = snapshotState(layer);
  return yield* thenRestore(checkWithSavedParams(layer, options, clock), () => [...snapshot.uninspectable, ...snapshot.restore()]);
}

/** Reads the parameters, runs the check, and assigns every parameter value and gradient back. */
function* checkWithSavedParams(layer: Layer, options: ValidatedOptions, clock: Clock): CheckProcess<GradientReport> {
  const slots = normalizeParams(layer);
  assertFiniteParams(slots);
  assertParamsAreLive(layer, slots);
  const savedValues = slots.map((slot) => readAll(slot.value));
  const savedGrads = slots.map((slot) => saveGrad(slot));
  const writeBack = (): RestoreFailure[] => [
    ...slots.flatMap((slot, i) => attemptWrite(`parameter '${slot.name}'`, slot.value, savedValues[i])),
    ...slots.flatMap((slot, i) => {
      const saved = savedGrads[i];
      return saved === null ? [] : attemptWrite(`gradient of '${slot.name}'`, saved.view, saved.values);
    }),
  ];
  return yield* thenRestore(runCheck(layer, slots, options, clock), writeBack);
}

const messageOf = (error: unknown): string => String((error as Error)?.message ?? error);

/**
 * Runs `work`, then `restore` (also when it throws). What could not be put back leaves no verdict:
 * a report becomes `impossible` with the problem named, and a thrown error becomes a
 * LayerStateError that says so and carries the error as its cause.
 */
function* thenRestore(work: CheckProcess<GradientReport>, restore: () => RestoreFailure[]): CheckProcess<GradientReport> {
  let report: GradientReport;
  try {
    report = yield* work;
  } catch (error) {
    const unrestored = restore();
    if (unrestored.length === 0) throw error;
    throw new LayerStateError(`${stateNotRestored(unrestored).message} (The check stopped with: ${messageOf(error)})`, { cause: error });
  }
  const unrestored = restore();
  if (unrestored.length === 0) return report;
  return { ...report, problems: [...report.problems, stateNotRestored(unrestored)], pass: false, verdict: 'impossible' };
}

/**
 * Writes saved values back through the layer's own storage (an accessor may throw); one failure
 * must not keep the other tensors from being put back, so each is attempted and reported.
 */
function attemptWrite(path: string, view: NumericView, values: Float64Array): RestoreFailure[] {
  try {
    writeAll(view, values);
    return [];
  } catch (error) {
    return [{ path, reason: `writing it back threw: ${messageOf(error)}` }];
  }
}

function* runCheck(layer: Layer, slots: ParamSlot[], options: ValidatedOptions, clock: Clock): CheckProcess<GradientReport> {
  const started = clock();
  const rng = createRng(options.seed);
  const paramsFloat32 = slots.some((slot) => slot.value.float32);
  const input = resolveInput(layer, options, rng, options.dtype === 'float32' || paramsFloat32);
  const inputNames = inputTensorNames(input.names, slots);
  const access: InputsAccess = { inputs: input.values.map((value, i) => inputAccess(value, input.source, inputNames[i], input.names[i])), multiple: input.multiple };
  assertFiniteInputs(access.inputs, input);
  const pristineInputs = access.inputs.map(({ view }) => (view === null ? null : readAll(view)));

  let forwardCalls = 0;
  let backwardCalls = 0;
  const forwardValues = input.values;
  const forwardCall = call('forward()', () => {
    forwardCalls++;
    return layer.forward(...forwardValues);
  });
  const problems: Problem[] = [];

  const firstOutput = yield forwardCall;
  const form = outputForm(firstOutput);
  const dtype = resolveDtype(options.dtype, slots, access.inputs, form);
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
  const shard = options.shard;
  let mode: CheckMode = { kind: 'exhaustive', reason: 'not reached: the check stopped before planning', blockSize: null, shard };
  let determinismChecks = 0;
  const finishWithoutTensors = (): GradientReport =>
    buildReport({
      mode,
      tensors: [],
      problems,
      settings,
      gradientScale: 0,
      inconclusive: null,
      diagnoses: [],
      forwardCalls,
      backwardCalls,
      determinismChecks,
    });

  const baseOutput = new Float64Array(form.size);
  readOutputInto(firstOutput, form, baseOutput);
  assertFiniteOutput(baseOutput, form, input, access.inputs);
  for (const [i, { view, name }] of access.inputs.entries()) {
    const pristine = pristineInputs[i];
    if (view === null || pristine === null) continue;
    const changedAt = firstDifference(readAll(view), pristine);
    if (changedAt >= 0) {
      problems.push(forwardMutatesInput(view.position(changedAt), name));
      return finishWithoutTensors();
    }
  }
  const scratchOutput = new Float64Array(form.size);
  const evaluateInto = function* (target: Float64Array): CheckProcess<void> {
    readOutputInto(yield forwardCall, form, target);
  };
  const watch = createDeterminismWatch({ baseOutput, evaluateInto, position: form.position });

  // The projection r; rounded to the output's storage so the upstream gradient holds exactly r.
  const projection = new Float64Array(form.size);
  if (form.scalar) projection[0] = 1;
  else for (let i = 0; i < form.size; i++) projection[i] = form.float32 ? Math.fround(rng.normal()) : rng.normal();
  // Samples are J − J₀, the loss's change from the unperturbed point: every estimate uses only
  // differences of samples, and the change is computed exactly where J itself would round.
  const lossChange = (values: ArrayLike<number>): number =>
    form.scalar ? (values[0] as number) - baseOutput[0] : differenceDot(values, baseOutput, projection, form.size);
  const centerLoss = 0;
  const lossNoise = LOSS_NOISE_FACTOR * unitRoundoff(dtype) * absoluteDot(baseOutput, projection, form.size);

  // Deep: the layer may reuse (and overwrite) its output object on the next forward.
  const outputTemplate = deepCopy(firstOutput);
  /** One forward at the unperturbed point (its output is evidence of determinism too) and one backward(scale·r). */
  const scaledProjection = (scale: number): Float64Array => projection.map((r) => scale * r);
  const forwardBackward = function* (upstreamValues: Float64Array, channels: GradChannel[] | null): CheckProcess<unknown> {
    refreshGradReads(slots);
    if (channels !== null) for (const channel of channels) channel.prepare();
    yield* evaluateInto(scratchOutput);
    watch.compare(scratchOutput, 'before a backward call');
    const upstream = form.scalar ? upstreamValues[0] : containerLike(outputTemplate, upstreamValues);
    const returned = yield call('backward()', () => {
      backwardCalls++;
      return layer.backward(upstream);
    });
    refreshGradReads(slots);
    if (!form.scalar && problems.every((p) => p.kind !== 'backward-mutates-upstream')) {
      const after = readAll(createView(upstream, 'the upstream gradient', { allowRagged: true }));
      const changedAt = firstDifference(after, upstreamValues);
      if (changedAt >= 0) problems.push(backwardMutatesUpstream(form.position(changedAt)));
    }
    return returned;
  };

  try {
    // First backward: reset what can be reset, then learn how each gradient must be read. Grads
    // that alias values are refused before anything is reset through them (and again once
    // backward has allocated them).
    assertGradsApart(slots);
    // Only grads handed out as copies need their values from before the first backward (`+=` layers are then read as a difference).
    const liveBefore = liveGrads(slots);
    const beforeFirst = beforeBackward(slots, liveBefore);
    const firstReturned = yield* forwardBackward(
      scaledProjection(1),
      slots.map((slot) => gradChannel(slot, 'reset')),
    );
    const afterFirst = slots.map((slot) => readGrad(slot));
    assertGradsApart(slots);
    const live = liveGrads(slots);
    let afterSecond: Float64Array[] | null = null;
    if (!live.every(Boolean)) {
      yield* forwardBackward(scaledProjection(1), null);
      afterSecond = slots.map((slot) => readGrad(slot));
    }
    const gradModes = decideGradModes(slots, live, beforeFirst, afterFirst, afterSecond);
    const channels = slots.map((slot, i) => gradChannel(slot, gradModes[i]));
    const analytic: BackwardGradients = {
      params: afterFirst.map((values, i) => (gradModes[i] === 'accumulate' ? values.map((v, k) => v - (beforeFirst[i][k] ?? 0)) : values)),
      inputs: readInputGradients(firstReturned, access, options.checkInput),
    };
    const factors = declaredFactors(options.gradientFactor, slots, access);
    const tensors: CheckedTensor[] = slots.map((slot, i) => {
      const factor = factors.get(slot.name) ?? 1;
      return { name: slot.name, view: slot.value, gradientFactor: factor, analytic: undeclared(analytic.params[i], factor), pick: (g) => undeclared(g.params[i], factor) };
    });
    access.inputs.forEach(({ name, view }, i) => {
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
    const runBackward = function* (upstreamValues: Float64Array): CheckProcess<BackwardGradients> {
      const returned = yield* forwardBackward(upstreamValues, channels);
      return { params: channels.map((channel) => channel.collect()), inputs: readInputGradients(returned, access, options.checkInput) };
    };
    const accumulating = new Set<string>();
    if (!form.scalar) {
      const zeroRun = yield* runBackward(scaledProjection(0));
      checkLinearity(tensors, 0, zeroRun, dtype, problems);
      const doubledRun = yield* runBackward(scaledProjection(2));
      checkLinearity(tensors, 2, doubledRun, dtype, problems);
      for (const tensor of tensors) if (showsAccumulation(tensor, tensor.pick(zeroRun), tensor.pick(doubledRun), dtype)) accumulating.add(tensor.name);
    }

    let offset = 0;
    const records: TensorRecord[] = tensors.map((tensor) => {
      const start = offset;
      const record = createRecord(tensor, shardEntries(tensor.view.size, start, shard), (index) => inShard(index, start, shard));
      offset += tensor.view.size;
      return record;
    });

    const progress = progressReporter(options.onProgress);
    let phase: CheckProgress['phase'] = 'probe';
    let currentTensor = records[0].tensor.name;
    let measurements = 0;
    let lossEvaluations = 0;
    // Until the plan, assume every entry: re-evaluations then spread over the whole check, not the probe.
    let plannedMeasurements = records.reduce((n, r) => n + r.scope.length, 0);
    watch.plan(plannedMeasurements);
    let hardDeadline = Infinity;
    const report = (force = false): void =>
      progress.update({ phase, tensor: currentTensor, measurements, plannedMeasurements, forwardCalls, elapsedSeconds: clock() - started }, force);
    const context: SweepContext = {
      dtype,
      options,
      tolerance,
      centerLoss,
      lossNoise,
      absoluteTolerance: 0,
      gradientScale: 0,
      seed: options.seed,
      forwardCall,
      lossOf(output) {
        lossEvaluations++;
        // Typed outputs are read in place: this runs once per forward call.
        if (!form.scalar && (output instanceof Float64Array || output instanceof Float32Array) && output.length === form.size) {
          return lossChange(output);
        }
        readOutputInto(output, form, scratchOutput);
        return lossChange(scratchOutput);
      },
      *afterMeasurement(suspicious) {
        measurements++;
        yield* watch.afterMeasurement(suspicious);
        report();
      },
      outOfTime: () => clock() > hardDeadline,
      now: clock,
      lossEvaluations: () => lossEvaluations,
    };

    // The scale probe also times the layer: the plan needs seconds and calls per entry.
    const probe = yield* probeGradientScale(records, context);
    const { gradientScale } = probe;
    context.gradientScale = gradientScale;
    context.absoluteTolerance = tolerance * gradientScale;
    const plan = planCheck({
      mode: options.mode,
      sample: options.sample,
      dtype,
      entriesInScope: records.map((r) => r.scope.length),
      secondsPerCall: probe.secondsPerCall,
      callsPerEntry: Math.max(4, probe.callsPerEntry),
      callsUsed: forwardCalls,
      maxEvaluations: options.maxEvaluations,
      maxSeconds: options.maxSeconds,
    });
    mode = { kind: plan.kind, reason: plan.reason, blockSize: plan.blockSize, shard };
    // Only the automatic plan can be wrong about the time; an explicit mode runs to its end.
    if (options.mode === 'auto' && options.sample === null) hardDeadline = started + HARD_LIMIT_FACTOR * options.maxSeconds;
    plannedMeasurements = measurements + plan.expectedMeasurements;
    watch.plan(plannedMeasurements);
    phase = plan.kind;
    yield* runPlan(records, plan, context, (name) => {
      currentTensor = name;
    });
    yield* watch.finish();
    determinismChecks = watch.checks;
    report(true);

    const resolved = resolveTensors(records, tolerance, dtype, gradientScale);
    // Evidence for the diagnoses that takes one more backward: only when something failed.
    const firstSampleOnly = new Set<string>();
    const batchRows = batchRowCount(form);
    if (batchRows > 1 && resolved.some((t) => t.failures.length > 0)) {
      const firstRowOnly = projection.map((r, i) => (i < form.size / batchRows ? r : 0));
      const cut = yield* runBackward(firstRowOnly);
      // Parameters only: an input entry of one sample never depends on the other samples' upstream
      // gradient, so "unchanged when they are cut" is no evidence of a missing sum over the batch there.
      for (const tensor of tensors.slice(0, slots.length)) {
        const result = resolved.find((t) => t.name === tensor.name);
        if (result !== undefined && result.failures.length > 0 && unchangedOn(result, tensor.pick(cut), dtype)) firstSampleOnly.add(tensor.name);
      }
    }
    const perTensor = resolved.flatMap((tensor) => diagnoseTensor(tensor, problems, { firstSampleOnly, accumulating }, tolerance));
    // Parameters come first among the tensors; a number gradientFactor covers exactly them.
    const diagnoses = withSharedConvention(perTensor, resolved.slice(0, slots.length));
    return buildReport({
      mode,
      tensors: resolved,
      problems,
      settings,
      gradientScale,
      inconclusive: explainInconclusive({
        dtype,
        epsilon: options.epsilon,
        tolerance,
        gradientScale,
        baseOutput,
        scalarLoss: form.scalar,
        lossNoise,
        tensors: resolved,
      }),
      diagnoses,
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

/** Backward's values divided by the declared factor: the true gradient, if the convention holds. */
function undeclared(values: Float64Array, factor: number): Float64Array;
function undeclared(values: Float64Array | null, factor: number): Float64Array | null;
function undeclared(values: Float64Array | null, factor: number): Float64Array | null {
  if (values === null || factor === 1) return values;
  return values.map((v) => v / factor);
}

/** The declared gradient factor per tensor name; a record must name tensors the layer has. */
function declaredFactors(declared: ValidatedOptions['gradientFactor'], slots: readonly ParamSlot[], access: InputsAccess): Map<string, number> {
  const factors = new Map<string, number>();
  if (declared === null) return factors;
  if (typeof declared === 'number') {
    for (const slot of slots) factors.set(slot.name, declared);
    return factors;
  }
  const known = [...slots.map((slot) => slot.name), ...access.inputs.map((input) => input.name)];
  for (const [name, factor] of Object.entries(declared)) {
    if (!known.includes(name)) {
      throw new OptionsError(`gradientFactor names '${escapeText(name)}', which is not a tensor of this layer. Its tensors: ${known.join(', ')}.`);
    }
    factors.set(name, factor);
  }
  return factors;
}

/**
 * Input tensors are reported under their own names; one that a parameter already uses (a parameter
 * called `query` beside an input `query`) becomes `input.query`.
 */
function inputTensorNames(names: readonly string[], slots: readonly ParamSlot[]): string[] {
  const taken = new Set(slots.map((slot) => slot.name));
  return names.map((name) => (name !== INPUT_NAME && taken.has(name) ? `${INPUT_NAME}.${name}` : name));
}

/** Runs the planned mode over every tensor. Modes differ only in which entries and directions they measure. */
function* runPlan(records: TensorRecord[], plan: Plan, context: SweepContext, enter: (tensor: string) => void): CheckProcess<void> {
  for (const [tensorIndex, record] of records.entries()) {
    enter(record.tensor.name);
    if (plan.kind === 'exhaustive') {
      yield* measureEntries(record, record.scope, context);
      continue;
    }
    if (plan.kind === 'projection' && plan.blockSize !== null) {
      yield* projectTensor(record, { blockSize: plan.blockSize, gradientScale: context.gradientScale, tensorIndex }, context);
    }
    const count = plan.sampleCounts?.[tensorIndex] ?? 0;
    if (count > 0) yield* measureEntries(record, sampleEntries(record.scope, count, context.seed, tensorIndex), context);
  }
  // Kinks are known only once their entries were measured: the joint check comes last.
  for (const record of records) yield* checkCoupledKinks(record, context);
}
