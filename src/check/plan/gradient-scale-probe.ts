import { createGradientScale } from '../../engine/absolute-tolerance.js';
import { measureConfirmed } from '../sweep/confirmed-measurement.js';
import type { CheckProcess } from '../layer-call.js';
import type { SweepContext } from '../sweep/sweep-context.js';
import { recordEntry, type TensorRecord } from '../sweep/tensor-record.js';

/** Entries per tensor the probe measures: enough that one unresolved entry does not hide the scale. */
export const PROBE_ENTRIES = 8;
/**
 * How far down the largest entries the probe goes when none of the first resolved: a backward that
 * routes the gradient to every tied maximum makes its largest entries all kinks, whose derivative
 * has no single value.
 */
export const PROBE_REACH = 32;

/** Indices of the `count` largest finite |analytic| values, one pass with a small sorted buffer. */
export function largestEntries(analytic: Float64Array, count: number): number[] {
  const chosen: number[] = []; // descending by |analytic|
  for (let i = 0; i < analytic.length; i++) {
    const magnitude = Math.abs(analytic[i]);
    if (!Number.isFinite(magnitude)) continue;
    if (chosen.length === count) {
      if (magnitude <= Math.abs(analytic[chosen[count - 1]])) continue;
      chosen.pop();
    }
    let at = chosen.length;
    chosen.push(i);
    while (at > 0 && Math.abs(analytic[chosen[at - 1]]) < magnitude) {
      chosen[at] = chosen[at - 1];
      at--;
    }
    chosen[at] = i;
  }
  return chosen;
}

/** What the probe learns: the gradient scale, and (counted, not timed) what an entry costs. */
export interface ProbeResult {
  gradientScale: number;
  /** Forward calls per measured entry, step growth included. */
  callsPerEntry: number;
}

/**
 * The layer's gradient scale, measured the same way by every mode and every shard: the entries with
 * the largest analytic gradients of each tensor, measured one by one, and the largest |numeric| among
 * those resolved to the relative tolerance. A wrong analytic gradient only picks which entries are
 * probed; the scale itself comes from the finite differences. Probed entries in a record's scope
 * count as measured there; others (another shard's) only inform the scale.
 */
export function* probeGradientScale(records: TensorRecord[], context: SweepContext): CheckProcess<ProbeResult> {
  const scale = createGradientScale();
  let calls = 0;
  let entries = 0;
  for (const record of records) {
    const { analytic } = record.tensor;
    let measured = 0;
    let resolvedHere = false;
    for (const index of largestEntries(analytic, PROBE_REACH)) {
      if (measured >= PROBE_ENTRIES && resolvedHere) break;
      const callsBefore = context.lossEvaluations();
      const measurement = yield* measureConfirmed(record, index, context);
      calls += context.lossEvaluations() - callsBefore;
      entries++;
      if (context.measured(measurement.suspicious)) yield* context.catchUp();
      measured++;
      if (measurement.estimate.kink === null) {
        const { numeric, errorEstimate } = measurement.estimate;
        scale.add(numeric, errorEstimate, context.tolerance);
        if (Number.isFinite(numeric) && numeric !== 0 && errorEstimate <= context.tolerance * Math.abs(numeric)) resolvedHere = true;
      }
      if (record.inScope(index)) recordEntry(record, index, measurement);
    }
  }
  return { gradientScale: scale.value, callsPerEntry: entries === 0 ? 4 : calls / entries };
}
