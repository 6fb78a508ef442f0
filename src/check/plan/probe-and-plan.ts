import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import type { CheckedTensor } from '../prepare/checked-tensor.js';
import { inShard, shardEntries, type ShardSpec } from '../sweep/modes/shard.js';
import { createRecord, type TensorRecord } from '../sweep/tensor-record.js';
import { probeGradientScale } from './gradient-scale-probe.js';
import { planCheck, type Plan } from './plan.js';

/** Mode 'auto' plans from the measured speed; past this multiple of maxSeconds it stops and says what it did not reach. */
const HARD_LIMIT_FACTOR = 4;

/** One record per tensor over the entries this check covers; entries are numbered across tensors for the shards. */
function scopedRecords(tensors: readonly CheckedTensor[], shard: ShardSpec | null): TensorRecord[] {
  let offset = 0;
  return tensors.map((tensor) => {
    const start = offset;
    offset += tensor.view.size;
    return createRecord(tensor, shardEntries(tensor.view.size, start, shard), (index) => inShard(index, start, shard));
  });
}

/**
 * The third phase: measure the largest gradients of each tensor one by one (the layer's gradient
 * scale, against which a gradient counts as negligible), then choose the mode that fits the budget.
 */
export function* probeAndPlan(check: CheckContext): CheckProcess<Plan> {
  const { options, progress, sweep, evaluation } = check;
  check.records = scopedRecords(check.tensors, options.shard);
  progress.tensor = check.records[0].tensor.name;
  // Until the plan, assume every entry: re-evaluations then spread over the whole check, not the probe.
  progress.plannedMeasurements = check.records.reduce((n, r) => n + r.scope.length, 0);
  evaluation.watch.plan(progress.plannedMeasurements);
  // The scale probe also times the layer: the plan needs seconds and calls per entry.
  const probe = yield* probeGradientScale(check.records, sweep);
  sweep.gradientScale = probe.gradientScale;
  sweep.absoluteTolerance = check.tolerance * probe.gradientScale;
  const plan = planCheck({
    mode: options.mode,
    sample: options.sample,
    dtype: check.dtype,
    entriesInScope: check.records.map((r) => r.scope.length),
    secondsPerCall: probe.secondsPerCall,
    callsPerEntry: Math.max(4, probe.callsPerEntry),
    callsUsed: check.calls.forward,
    maxEvaluations: options.maxEvaluations,
    maxSeconds: options.maxSeconds,
  });
  check.mode = { kind: plan.kind, reason: plan.reason, blockSize: plan.blockSize, shard: options.shard };
  // Only the automatic plan can be wrong about the time; an explicit mode runs to its end.
  if (options.mode === 'auto' && options.sample === null) sweep.deadline = check.started + HARD_LIMIT_FACTOR * options.maxSeconds;
  progress.plannedMeasurements = progress.measurements + plan.expectedMeasurements;
  evaluation.watch.plan(progress.plannedMeasurements);
  progress.phase = plan.kind;
  return plan;
}
