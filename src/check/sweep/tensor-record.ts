import type { CheckedTensor } from '../prepare/checked-tensor.js';
import type { Measurement } from './entry-measurement.js';
import { addToParts, emptyParts, type NormalizedErrorParts } from '../../engine/normalized-error.js';
import type { EntryFailure, JointKinkFailure, KinkEntry, TiedGroup, UnresolvedGroup } from '../report-types.js';

/**
 * What the modes learn about one tensor, whichever mode learns it: per-entry measurements (NaN for
 * entries no mode measured one by one), failures and kinks, and for projection the screened
 * entries, the detection floor and any disagreement that could not be localized.
 */
export interface TensorRecord {
  tensor: CheckedTensor;
  /** Entries of this tensor the check covers (its shard), ascending. */
  scope: Uint32Array;
  /** Whether an entry is in `scope`, in constant time. */
  inScope(index: number): boolean;
  numeric: Float64Array;
  errorEstimate: Float64Array;
  /**
   * The norms behind the tensor's normalized error, accumulated as entries are measured: analytic
   * against what it was measured against (for kinks the nearest end of the interval). No per-entry
   * copies, so a million-entry check keeps two doubles per entry (numeric, error estimate).
   */
  normParts: NormalizedErrorParts;
  failures: EntryFailure[];
  /**
   * What each failing entry was measured against (its numeric value, or the nearest end of its kink
   * interval). A failure adds to `normParts` only when it stands (see `settleFailureNorms`): a tie
   * judged as a whole may still accept it.
   */
  failureReferences: Map<number, number>;
  kinks: KinkEntry[];
  jointFailures: JointKinkFailure[];
  tiedGroups: TiedGroup[];
  /** Passing entries whose error estimate exceeds their relative tolerance (sorted out against the absolute one later). */
  unresolved: { index: number; stepUsed: number }[];
  /** Entries measured one by one. */
  measured: number;
  /** Per entry, what the projection's two partitions established (see screening.ts); all 0 without projection. */
  screen: Uint8Array;
  /** Largest single-entry error a passing projection of this tensor could have missed; null without projection. */
  detectionFloor: number | null;
  /** The largest relative floor, floor / |analytic|, of an entry screened to the guarantee; null without one. */
  screenedTo: number | null;
  unlocalized: UnresolvedGroup[];
  /** Blocks whose projection disagreed, left unlocalized once enough wrong entries were located. */
  failingBlocks: UnresolvedGroup[];
  /** The entries the planned mode meant to reach: all of the scope, or a listed sample. */
  intended: Uint32Array | 'scope';
}

export function createRecord(tensor: CheckedTensor, scope: Uint32Array, inScope: (index: number) => boolean): TensorRecord {
  const size = tensor.view.size;
  return {
    tensor,
    scope,
    inScope,
    numeric: new Float64Array(size).fill(Number.NaN),
    errorEstimate: new Float64Array(size).fill(Number.NaN),
    normParts: emptyParts(),
    failures: [],
    failureReferences: new Map(),
    kinks: [],
    jointFailures: [],
    tiedGroups: [],
    unresolved: [],
    measured: 0,
    screen: new Uint8Array(size),
    detectionFloor: null,
    screenedTo: null,
    unlocalized: [],
    failingBlocks: [],
    intended: 'scope',
  };
}

export const isMeasured = (record: TensorRecord, index: number): boolean => !Number.isNaN(record.errorEstimate[index]);

/** Non-finite values count as 0 in the norms: the failure list names them, the norm must stay a number. */
const finite = (value: number): number => (Number.isFinite(value) ? value : 0);

/** Adds the failures that stand to the tensor's norms, measured against what they were measured against. */
export function settleFailureNorms(record: TensorRecord): void {
  for (const failure of record.failures) {
    addToParts(record.normParts, finite(record.failureReferences.get(failure.index) ?? failure.numeric), finite(failure.analytic));
  }
  record.failureReferences.clear();
}

/** A failing entry that a tie judged as a whole accepts: no longer a failure, and no error of its own in the norms. */
export function acceptFailure(record: TensorRecord, failure: EntryFailure): void {
  record.failureReferences.delete(failure.index);
  addToParts(record.normParts, finite(failure.analytic), finite(failure.analytic));
}

/** Files one entry's measurement under its verdict. Measuring an entry twice keeps the first. */
export function recordEntry(record: TensorRecord, index: number, measurement: Measurement): void {
  if (isMeasured(record, index)) return;
  const { estimate, verdict } = measurement;
  const { view, analytic } = record.tensor;
  record.measured++;
  record.numeric[index] = estimate.numeric;
  record.errorEstimate[index] = Number.isFinite(estimate.errorEstimate) ? estimate.errorEstimate : Infinity;
  if (verdict.pass) addToParts(record.normParts, finite(verdict.reference), finite(analytic[index]));
  else record.failureReferences.set(index, verdict.reference);
  if (verdict.kind === 'kink' && estimate.kink !== null) {
    record.kinks.push({
      index,
      position: view.position(index),
      analytic: analytic[index],
      lower: estimate.kink.lower,
      upper: estimate.kink.upper,
      right: estimate.slopes.forward,
      left: estimate.slopes.backward,
      stepUsed: estimate.stepUsed,
      slack: estimate.kinkSlack,
    });
  } else if (!verdict.pass) {
    record.failures.push({
      index,
      position: view.position(index),
      analytic: analytic[index],
      numeric: estimate.numeric,
      error: verdict.error,
      errorEstimate: record.errorEstimate[index],
      allowed: verdict.allowed,
      stepUsed: estimate.stepUsed,
      kind: verdict.kind === 'kink-outside' ? 'kink-outside' : verdict.kind === 'non-finite' ? 'non-finite' : 'mismatch',
    });
  } else if (!verdict.resolved) {
    record.unresolved.push({ index, stepUsed: estimate.stepUsed });
  }
}
