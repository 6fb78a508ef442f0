import { measureEntry } from '../entry-measurement.js';
import type { CheckProcess } from '../../layer-call.js';
import { isMeasured, recordEntry, type TensorRecord } from '../tensor-record.js';
import type { SweepContext } from '../sweep-context.js';

/**
 * Measures the given entries one by one (skipping those already measured, e.g. by the scale probe).
 * The exhaustive mode is this over a tensor's whole scope; sampling and localization call it on
 * subsets, so every mode judges an entry the same way.
 */
export function* measureEntries(record: TensorRecord, entries: ArrayLike<number>, context: SweepContext): CheckProcess<void> {
  const { view, analytic, name } = record.tensor;
  for (let k = 0; k < entries.length; k++) {
    const index = entries[k];
    if (isMeasured(record, index)) continue;
    if (context.outOfTime()) {
      for (let rest = k; rest < entries.length; rest++) if (!isMeasured(record, entries[rest])) record.skipped++;
      return;
    }
    const measurement = yield* measureEntry(view, index, analytic[index], context, name);
    recordEntry(record, index, measurement);
    yield* context.afterMeasurement(measurement.suspicious);
  }
}
