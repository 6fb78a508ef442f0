import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import type { Plan } from '../plan/plan.js';
import { measureEntries } from './modes/exhaustive.js';
import { projectTensor } from './modes/projection.js';
import { measureSample } from './modes/sample.js';
import type { SweepContext } from './sweep-context.js';
import type { TensorRecord } from './tensor-record.js';

/**
 * The fourth phase: the planned mode over every tensor. Modes differ only in which entries and
 * directions they measure; every measurement is judged the same way and filed in the tensor's record.
 */
export function* sweep(check: CheckContext, plan: Plan): CheckProcess<void> {
  for (const [tensorIndex, record] of check.records.entries()) {
    check.progress.tensor = record.tensor.name;
    yield* sweepTensor(record, tensorIndex, plan, check.sweep);
  }
}

function* sweepTensor(record: TensorRecord, tensorIndex: number, plan: Plan, context: SweepContext): CheckProcess<void> {
  if (plan.kind === 'exhaustive') {
    yield* measureEntries(record, record.scope, context);
    return;
  }
  if (plan.kind === 'projection' && plan.blockSize !== null) {
    yield* projectTensor(record, { blockSize: plan.blockSize, gradientScale: context.gradientScale, tensorIndex }, context);
  }
  yield* measureSample(record, plan.sampleCounts?.[tensorIndex] ?? 0, tensorIndex, context);
}
