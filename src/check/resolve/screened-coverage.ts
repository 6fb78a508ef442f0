import { bothPassed, classOf, IN_REPORTED_GROUP, NEGLIGIBLE, UNRESOLVED, WEAK } from '../sweep/screening.js';
import { isMeasured, type TensorRecord } from '../sweep/tensor-record.js';

/** What the screen and the measurements of one tensor add up to, entry by entry. */
export interface ScreenedCoverage {
  /** Entries both partitions of a projection passed. */
  screened: number;
  /** Screened, not measured, checked only to the absolute tolerance (counted with the tensor's negligible entries). */
  negligible: number;
  /** Screened, not measured, with a floor above what the verdict needs (the loss's noise hides them). */
  unresolved: number;
  /** Screened, not measured, with a floor the larger gradients beside them set above the guarantee. */
  weak: number;
  /** Entries the planned mode meant to reach but did not (the budget stopped the check first). */
  skipped: number;
}

/** An entry is accounted for when measured, screened by both partitions, or listed in a reported group. */
const accounted = (record: TensorRecord, index: number): boolean =>
  isMeasured(record, index) || bothPassed(record.screen[index]) || (record.screen[index] & IN_REPORTED_GROUP) !== 0;

export function screenedCoverage(record: TensorRecord): ScreenedCoverage {
  const coverage: ScreenedCoverage = { screened: 0, negligible: 0, unresolved: 0, weak: 0, skipped: 0 };
  const intended = record.intended === 'scope' ? record.scope : record.intended;
  for (const index of intended) if (!accounted(record, index)) coverage.skipped++;
  for (const index of record.scope) {
    const status = record.screen[index];
    if (!bothPassed(status)) continue;
    coverage.screened++;
    if (isMeasured(record, index)) continue;
    const screenClass = classOf(status);
    if (screenClass === NEGLIGIBLE) coverage.negligible++;
    else if (screenClass === UNRESOLVED) coverage.unresolved++;
    else if (screenClass === WEAK) coverage.weak++;
  }
  return coverage;
}
