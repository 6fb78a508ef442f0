import { assertFiniteParams, assertParamsAreLive, normalizeParams, type ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { snapshotState } from '../layer/state-snapshot.js';
import { assembleReport } from './assemble/assemble-report.js';
import { attributeLayers } from './attribute/attribute-layers.js';
import { BudgetExhausted, type Budget } from './budget.js';
import type { Clock } from './clock.js';
import type { CheckContext } from './context.js';
import { diagnose } from './diagnose/diagnose.js';
import { checkJointly } from './joint/joint-checks.js';
import { saveParams, thenRestore } from './keep-state.js';
import { call, nested, type CheckProcess } from './layer-call.js';
import type { ValidatedOptions } from './options.js';
import { probeAndPlan } from './plan/probe-and-plan.js';
import { readAnalyticGradients } from './prepare/analytic-gradients.js';
import { checkBackwardContract } from './prepare/backward-contract.js';
import { prepare } from './prepare/prepare.js';
import { budgetExhausted, CheckStopped } from './problems.js';
import type { GradientReport } from './report-types.js';
import { resolve } from './resolve/resolve.js';
import { sweep } from './sweep/sweep.js';

/** Thrown when the budget stopped the check at its first call, before anything about the layer was known. */
export class CheckAbandoned extends Error {}

/**
 * The whole check as one process: snapshot, check, restore. It yields every call into the layer,
 * so one driver runs it synchronously and another asynchronously (see layer-call.ts); the driver
 * asks `budget` before every call.
 */
export function* checkProcess(layer: Layer, options: ValidatedOptions, clock: Clock, budget: Budget): CheckProcess<GradientReport> {
  // Taken before anything runs layer code: a params getter may initialize state lazily.
  const snapshot = snapshotState(layer);
  return yield* thenRestore(checkWithSavedParams(layer, options, clock, budget, snapshot.covers), () => [...snapshot.uninspectable, ...snapshot.restore()]);
}

/** Reads the parameters, runs the check, and assigns every parameter value and gradient back (what the snapshot does not cover). */
function* checkWithSavedParams(
  layer: Layer,
  options: ValidatedOptions,
  clock: Clock,
  budget: Budget,
  covers: (storage: object) => boolean,
): CheckProcess<GradientReport> {
  const slots = normalizeParams(layer);
  assertFiniteParams(slots);
  assertParamsAreLive(layer, slots);
  return yield* thenRestore(runCheck(layer, slots, options, clock, budget), saveParams(slots, covers));
}

/** The check, phase by phase; each phase lives in the folder of its name and shares the context `check`. */
function* runCheck(layer: Layer, slots: ParamSlot[], options: ValidatedOptions, clock: Clock, budget: Budget): CheckProcess<GradientReport> {
  const check = yield* prepareOrAbandon(layer, slots, options, clock, budget);
  const reached = yield* untilStopped(check, function* () {
    yield* readAnalyticGradients(check);
    yield* checkBackwardContract(check);
    const plan = yield* probeAndPlan(check);
    yield* nested(sweep(check, plan));
    yield* checkJointly(check);
  });
  if (!reached) return assembleReport(check, null);
  const tensors = resolve(check);
  const { diagnoses, inconclusive } = yield* diagnose(check, tensors);
  const report = assembleReport(check, { tensors, diagnoses, inconclusive });
  // A failing sequence: each layer checked on its own, inside this check (its snapshot puts everything back).
  return yield* attributeLayers(check, report, checkProcess);
}

function* prepareOrAbandon(layer: Layer, slots: ParamSlot[], options: ValidatedOptions, clock: Clock, budget: Budget): CheckProcess<CheckContext> {
  try {
    return yield* prepare(layer, slots, options, clock, budget);
  } catch (error) {
    if (!(error instanceof BudgetExhausted)) throw error;
    const problem = budgetExhausted(error.stop, budget.limits);
    throw new CheckAbandoned(`The first forward() call was abandoned, so nothing could be checked; the layer was put back. ${problem.message}`, { cause: error });
  }
}

/**
 * Runs the phases unless prepare already found a problem that leaves no verdict. A phase that finds
 * one (a nondeterministic forward) stops them with no tensors reported; a budget stop ends them
 * with what was measured so far, after one closing forward at the original values (so state a
 * layer derives in forward, such as tfjs Variables, ends as it began). True when tensors can be resolved.
 */
function* untilStopped(check: CheckContext, phases: () => CheckProcess<void>): CheckProcess<boolean> {
  if (check.problems.some((problem) => problem.severity === 'impossible')) return false;
  try {
    yield* phases();
    return true;
  } catch (error) {
    if (error instanceof CheckStopped) {
      check.problems.push(error.problem);
      return false;
    }
    if (!(error instanceof BudgetExhausted)) throw error;
    check.stop = error.stop;
    check.problems.push(budgetExhausted(error.stop, check.budget.limits, check.neededEvaluations));
    if (error.stop.reason !== 'call-timeout') yield call('forward()', check.evaluation.forwardCall.run, true);
    return check.records.length > 0;
  }
}
