import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import type { CheckedTensor } from '../prepare/checked-tensor.js';
import { bandSizes } from '../sweep/modes/bands.js';
import { inShard, shardEntries, type ShardSpec } from '../sweep/modes/shard.js';
import { createRecord, type TensorRecord } from '../sweep/tensor-record.js';
import { probeGradientScale } from './gradient-scale-probe.js';
import { planCheck, RESERVE_AFTER_SWEEP, type Plan } from './plan.js';

const largestMagnitude = (values: Float64Array): number => values.reduce((largest, v) => Math.max(largest, Math.abs(v)), 0);

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
 * scale, against which a gradient counts as negligible), then choose the mode that fits the
 * budget. Everything the plan reads is a count, never a time.
 */
export function* probeAndPlan(check: CheckContext): CheckProcess<Plan> {
  const { options, progress, sweep, evaluation } = check;
  check.records = scopedRecords(check.tensors, options.shard);
  progress.tensor = check.records[0].tensor.name;
  const total = check.records.reduce((n, r) => n + r.scope.length, 0);
  // Until the plan, assume every entry: re-evaluations then spread over the whole check, not the probe.
  progress.plannedMeasurements = total;
  evaluation.watch.plan(total);
  const probe = yield* probeGradientScale(check.records, sweep);
  // Nothing resolved (a layer saturated everywhere): a gradient matters at least as much as the
  // outputs would carry back through a slope of 1, the projection's largest entry.
  check.gradientScaleFrom = probe.gradientScale > 0 ? 'gradients' : 'outputs';
  sweep.gradientScale = probe.gradientScale > 0 ? probe.gradientScale : largestMagnitude(evaluation.projection);
  sweep.absoluteTolerance = check.tolerance * sweep.gradientScale;
  const plan = planCheck({
    mode: options.mode,
    sample: options.sample,
    dtype: check.dtype,
    entriesInScope: check.records.map((r) => r.scope.length),
    bandSizes: check.records.map((r) => bandSizes(r.tensor.analytic, r.scope)),
    callsPerEntry: Math.max(4, probe.callsPerEntry),
    callsUsed: check.budget.evaluations,
    callsReserved: evaluation.watch.owed() + RESERVE_AFTER_SWEEP,
    maxEvaluations: options.maxEvaluations,
  });
  check.mode = { kind: plan.kind, reason: plan.reason, blockSize: plan.blockSize, shard: options.shard };
  check.neededEvaluations = plan.neededEvaluations;
  progress.plannedMeasurements = progress.measurements + plan.expectedMeasurements;
  evaluation.watch.plan(progress.plannedMeasurements);
  progress.phase = plan.kind;
  return plan;
}
