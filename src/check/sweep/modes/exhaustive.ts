import { measureConfirmed } from '../confirmed-measurement.js';
import { nested, type CheckProcess } from '../../layer-call.js';
import { isMeasured, recordEntry, type TensorRecord } from '../tensor-record.js';
import type { SweepContext } from '../sweep-context.js';

/**
 * Measures the given entries one by one (skipping those already measured, e.g. by the scale probe).
 * The exhaustive mode is this over a tensor's whole scope; sampling and localization call it on
 * subsets, so every mode judges an entry the same way.
 */
export function* measureEntries(record: TensorRecord, entries: ArrayLike<number>, context: SweepContext): CheckProcess<void> {
  for (let k = 0; k < entries.length; k++) {
    const index = entries[k];
    if (isMeasured(record, index)) continue;
    const measurement = yield* nested(measureConfirmed(record, index, context));
    recordEntry(record, index, measurement);
    if (context.measured(measurement.suspicious)) yield* context.catchUp();
  }
}
