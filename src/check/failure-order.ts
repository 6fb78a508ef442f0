import type { EntryFailure } from './report-types.js';

/**
 * Worst first: non-finite entries, then by relative error |a − n| / max(|a|, |n|) to 2 significant
 * digits (a constant-factor bug gives every entry the same one, so noise must not order them),
 * then by absolute error.
 */
export function compareFailures(a: EntryFailure, b: EntryFailure): number {
  return relativeKey(b) - relativeKey(a) || b.error - a.error;
}

function relativeKey(failure: EntryFailure): number {
  if (failure.kind === 'non-finite') return Infinity;
  const scale = Math.max(Math.abs(failure.analytic), Math.abs(failure.numeric));
  return scale > 0 ? Number((failure.error / scale).toPrecision(2)) : 0;
}
