import type { DerivativeEstimate } from './central-difference.js';

export interface EntryVerdict {
  pass: boolean;
  kind: 'mismatch' | 'kink-outside' | 'non-finite' | 'kink' | 'ok';
  /** |analytic − closest acceptable numeric|; Infinity when either side is not finite. */
  error: number;
  /** Largest error that still passes. */
  allowed: number;
  /** The numeric value the analytic one is measured against (for kinks, the nearest point of the interval). */
  reference: number;
  /**
   * The finite difference's own error bar is within the tolerance (errorEstimate ≤
   * tolerance·max(|analytic|, |numeric|)), so the verdict really tested the entry to the tolerance.
   * Always true at kinks and for non-finite entries, whose verdicts do not rest on that bar.
   */
  resolved: boolean;
}

/**
 * One entry's verdict. A smooth entry passes when
 *   |analytic − numeric| ≤ tolerance·max(|analytic|, |numeric|) + errorEstimate,
 * i.e. a relative tolerance on top of the finite difference's own estimated error, so rounding
 * noise is never mistaken for a bug. At a kink any value between the one-sided slopes (a valid
 * subgradient) passes, with the same relative tolerance and the slopes' rounding error as slack.
 */
export function judgeEntry(analytic: number, estimate: DerivativeEstimate, tolerance: number): EntryVerdict {
  const { numeric, kink } = estimate;
  if (!Number.isFinite(analytic) || !Number.isFinite(numeric) || !Number.isFinite(estimate.errorEstimate)) {
    return { pass: false, kind: 'non-finite', error: Infinity, allowed: 0, reference: numeric, resolved: true };
  }
  if (kink !== null) {
    const reference = Math.min(Math.max(analytic, kink.lower), kink.upper);
    const error = Math.abs(analytic - reference);
    const allowed = tolerance * Math.max(Math.abs(kink.lower), Math.abs(kink.upper)) + estimate.kinkSlack;
    const pass = error <= allowed;
    return { pass, kind: pass ? 'kink' : 'kink-outside', error, allowed, reference, resolved: true };
  }
  const error = Math.abs(analytic - numeric);
  const relativeAllowance = tolerance * Math.max(Math.abs(analytic), Math.abs(numeric));
  const allowed = relativeAllowance + estimate.errorEstimate;
  const pass = error <= allowed;
  return { pass, kind: pass ? 'ok' : 'mismatch', error, allowed, reference: numeric, resolved: estimate.errorEstimate <= relativeAllowance };
}
