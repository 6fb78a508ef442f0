import { assertFiniteParams, assertParamsAreLive, normalizeParams, type ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { snapshotState } from '../layer/state-snapshot.js';
import { assembleReport, type Findings } from './assemble/assemble-report.js';
import type { CheckContext, Clock } from './context.js';
import { diagnose } from './diagnose/diagnose.js';
import { checkJointly } from './joint/joint-checks.js';
import { saveParams, thenRestore } from './keep-state.js';
import type { CheckProcess } from './layer-call.js';
import type { ValidatedOptions } from './options.js';
import { probeAndPlan } from './plan/probe-and-plan.js';
import { readAnalyticGradients } from './prepare/analytic-gradients.js';
import { checkBackwardContract } from './prepare/backward-contract.js';
import { prepare } from './prepare/prepare.js';
import { CheckStopped } from './problems.js';
import type { GradientReport } from './report-types.js';
import { resolve } from './resolve/resolve.js';
import { sweep } from './sweep/sweep.js';

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
  return yield* thenRestore(runCheck(layer, slots, options, clock), saveParams(slots));
}

/** The check, phase by phase; each phase lives in the folder of its name and shares the context `check`. */
function* runCheck(layer: Layer, slots: ParamSlot[], options: ValidatedOptions, clock: Clock): CheckProcess<GradientReport> {
  const check = yield* prepare(layer, slots, options, clock);
  const findings = yield* unlessStopped(check, function* () {
    yield* readAnalyticGradients(check);
    yield* checkBackwardContract(check);
    const plan = yield* probeAndPlan(check);
    yield* sweep(check, plan);
    yield* checkJointly(check);
    const tensors = resolve(check);
    const { diagnoses, inconclusive } = yield* diagnose(check, tensors);
    return { tensors, diagnoses, inconclusive };
  });
  return assembleReport(check, findings);
}

/**
 * Runs the phases unless prepare already found a problem that leaves no verdict; a phase that finds
 * one (a nondeterministic forward) stops them, and the report then carries the problem alone.
 */
function* unlessStopped(check: CheckContext, phases: () => CheckProcess<Findings>): CheckProcess<Findings | null> {
  if (check.problems.some((problem) => problem.severity === 'impossible')) return null;
  try {
    return yield* phases();
  } catch (error) {
    if (!(error instanceof CheckStopped)) throw error;
    check.problems.push(error.problem);
    return null;
  }
}
