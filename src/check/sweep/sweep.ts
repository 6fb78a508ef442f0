import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import { RESERVE_AFTER_SWEEP, type Plan } from '../plan/plan.js';
import { measureEntries } from './modes/exhaustive.js';
import { measureWeakEntries, projectTensor } from './modes/projection.js';
import { sampleEntries } from './modes/sample.js';
import { screenTarget, type ScreenLimits } from './screening.js';
import type { SweepContext } from './sweep-context.js';
import type { TensorRecord } from './tensor-record.js';

/**
 * The fourth phase: the planned mode over every tensor. Modes differ only in which entries and
 * directions they measure; every measurement is judged the same way and filed in the tensor's record.
 */
export function* sweep(check: CheckContext, plan: Plan): CheckProcess<void> {
  const target = screenTarget(check.dtype, check.tolerance);
  const limits: ScreenLimits = { relativeTarget: target / (1 + target), tolerance: check.tolerance, absoluteTolerance: check.sweep.absoluteTolerance };
  for (const [tensorIndex, record] of check.records.entries()) {
    check.progress.tensor = record.tensor.name;
    yield* sweepTensor(record, tensorIndex, plan, check.sweep, limits);
  }
  // Entries whose blocks left them above the guarantee are measured last, once every tensor is screened.
  if (plan.kind === 'projection') {
    for (const record of check.records) {
      check.progress.tensor = record.tensor.name;
      yield* measureWeakEntries(record, check.sweep, check.evaluation.watch.owed() + RESERVE_AFTER_SWEEP);
    }
  }
}

function* sweepTensor(record: TensorRecord, tensorIndex: number, plan: Plan, context: SweepContext, limits: ScreenLimits): CheckProcess<void> {
  if (plan.kind === 'exhaustive') {
    yield* measureEntries(record, record.scope, context);
    return;
  }
  const count = plan.sampleCounts?.[tensorIndex] ?? 0;
  const sample = count > 0 ? sampleEntries(record.scope, count, context.seed, tensorIndex) : null;
  if (plan.kind === 'projection' && plan.blockSize !== null) {
    yield* projectTensor(record, { blockSize: plan.blockSize, tensorIndex, limits }, context);
  } else {
    record.intended = sample ?? new Uint32Array(0);
  }
  if (sample !== null) yield* measureEntries(record, sample, context);
}
