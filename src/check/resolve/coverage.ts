import type { TensorReport } from '../report-types.js';

/** Why a tensor is not resolved as a whole (beyond single unresolved entries), or null. */
export function coverageShortfall(tensor: TensorReport): string | null {
  const { coverage } = tensor;
  const reasons: string[] = [];
  if (coverage.skipped > 0) reasons.push(`${coverage.skipped} of its entries were not reached before the check stopped`);
  if (coverage.unlocalized.length > 0) {
    const entries = coverage.unlocalized.reduce((n, group) => n + group.entries, 0);
    reasons.push(`a disagreement over ${entries} of its entries could not be localized`);
  }
  if (coverage.weak > 0) {
    reasons.push(`${coverage.weak} screened entries sit in blocks whose larger gradients hide errors of their size, and the budget ended before they were measured alone`);
  }
  if (coverage.screenedUnresolved > 0) {
    reasons.push(`${coverage.screenedUnresolved} screened entries could not be resolved: the loss's rounding hides errors of their size`);
  }
  return reasons.length === 0 ? null : reasons.join('; ');
}

/** Entries of a tensor that could not be resolved: single entries, groups not localized, entries not reached, screened entries above their floor. */
export function unresolvedEntries(tensor: TensorReport): number {
  const { coverage } = tensor;
  return (
    tensor.inconclusive.length +
    coverage.unlocalized.reduce((n, group) => n + group.entries, 0) +
    coverage.skipped +
    coverage.weak +
    coverage.screenedUnresolved
  );
}
