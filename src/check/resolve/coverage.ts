import { FLOOR_LIMIT } from '../sweep/modes/projection.js';
import type { TensorReport } from '../report-types.js';

/** Why a tensor is not resolved as a whole (beyond single unresolved entries), or null. */
export function coverageShortfall(tensor: TensorReport, gradientScale: number): string | null {
  const { coverage } = tensor;
  if (coverage.skipped > 0) return `${coverage.skipped} of its entries were not reached before the time limit`;
  if (coverage.unlocalized.length > 0) {
    const entries = coverage.unlocalized.reduce((n, group) => n + group.entries, 0);
    return `a disagreement over ${entries} of its entries could not be localized`;
  }
  // The floor speaks for screened entries not measured one by one; with every entry measured it says nothing.
  if (coverage.detectionFloor !== null && coverage.measured < coverage.inScope && !(coverage.detectionFloor <= FLOOR_LIMIT * gradientScale)) {
    return `its projection could only detect single-entry errors above ${coverage.detectionFloor.toPrecision(3)}, more than a tenth of the largest gradient`;
  }
  return null;
}

/** Entries of a tensor that could not be resolved: single entries, groups not localized, entries not reached, a projection floor too high. */
export function unresolvedEntries(tensor: TensorReport, gradientScale: number): number {
  const { coverage } = tensor;
  const floorTooHigh = coverageShortfall({ ...tensor, coverage: { ...coverage, skipped: 0, unlocalized: [] } }, gradientScale) !== null;
  return (
    tensor.inconclusive.length +
    coverage.unlocalized.reduce((n, group) => n + group.entries, 0) +
    coverage.skipped +
    (floorTooHigh ? coverage.screened : 0)
  );
}
