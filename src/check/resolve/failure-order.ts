import type { EntryFailure } from '../report-types.js';

/**
 * Worst first: non-finite entries, then by relative error |a − n| / max(|a|, |n|) to 2 significant
 * digits (a constant-factor bug gives every entry the same one, so noise must not order them),
 * then by absolute error.
 */
export function failureKey(failure: EntryFailure): number {
  if (failure.kind === 'non-finite') return Infinity;
  const scale = Math.max(Math.abs(failure.analytic), Math.abs(failure.numeric));
  if (!(scale > 0)) return 0;
  // Two significant digits without formatting (toPrecision per comparison cost seconds per million).
  const relative = failure.error / scale;
  const magnitude = 10 ** Math.floor(Math.log10(relative));
  return Math.round(relative / magnitude * 10) * magnitude / 10;
}

export function compareFailures(a: EntryFailure, b: EntryFailure): number {
  return failureKey(b) - failureKey(a) || b.error - a.error;
}

/** Sorted worst first, each key computed once. */
export function sortFailures(failures: readonly EntryFailure[]): EntryFailure[] {
  const keyed = failures.map((failure) => ({ failure, key: failureKey(failure) }));
  keyed.sort((a, b) => b.key - a.key || b.failure.error - a.failure.error);
  return keyed.map((entry) => entry.failure);
}
