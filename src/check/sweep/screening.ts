import type { Dtype } from '../../engine/dtype.js';
import type { TensorRecord } from './tensor-record.js';

/**
 * What a projection establishes about each entry, kept in one byte per entry (`TensorRecord.screen`).
 *
 * Every entry in a projection's scope is screened twice, by blocks of two partitions (see
 * projection.ts): consecutive entries of one magnitude band, then a seeded shuffle of the band.
 * A passing block bounds the error any single entry of it can hide: its allowance over the entry's
 * displacement |u_i·h_i|. That floor has a tolerance part, tol·|dᵀg|/|u_i·h_i|, set by the whole
 * block, and a noise part, the finite difference's error over the same. Each entry keeps the
 * worst class of its two blocks:
 *
 * - weak: the tolerance part alone exceeds both ρ'·|a_i| and the noise a single-entry measurement
 *   would carry: larger gradients in the block drowned it. Such entries are measured one by one;
 * - resolved: floor ≤ ρ'·|a_i|, the screening target relative to its own gradient;
 * - negligible: the noise part ≤ tol·|a_i| + the layer's absolute tolerance, as an exhaustive check
 *   calls an entry whose own finite difference cannot resolve it but whose error would not matter;
 * - unresolved: the noise of the loss hides errors that would matter, as it would from an
 *   exhaustive check (inconclusive).
 */
export const PASSED_FIRST = 1;
export const PASSED_SECOND = 2;
/** In a failing block or an unlocalized disagreement that the report lists as a group. */
export const IN_REPORTED_GROUP = 4;
const CLASS_SHIFT = 3;
const CLASS_MASK = 3 << CLASS_SHIFT;

export type ScreenClass = 0 | 1 | 2 | 3;
export const RESOLVED: ScreenClass = 0;
export const NEGLIGIBLE: ScreenClass = 1;
export const UNRESOLVED: ScreenClass = 2;
export const WEAK: ScreenClass = 3;

/**
 * The relative error a screened entry is guaranteed to show at, by dtype: a thousand times the
 * float64 tolerance, ten times float32's. With tolerance tol per entry, a block's allowance grows
 * as tol·√B·(typical gradient), so blocks of one magnitude band keep this target up to B ≈ 10⁵
 * (float64) and B ≈ 10 (float32).
 */
const SCREEN_TARGET: Record<Dtype, number> = { float64: 1e-3, float32: 0.1 };

/** ρ: the screening target, never tighter than ten times the tolerance given. */
export function screenTarget(dtype: Dtype, tolerance: number): number {
  return Math.max(SCREEN_TARGET[dtype], 10 * tolerance);
}

export const bothPassed = (status: number): boolean => (status & (PASSED_FIRST | PASSED_SECOND)) === (PASSED_FIRST | PASSED_SECOND);
export const classOf = (status: number): ScreenClass => ((status & CLASS_MASK) >> CLASS_SHIFT) as ScreenClass;

/** What one passing direction allows, in units of the directional derivative dJ/dσ. */
export interface PassingDirection {
  /** tol·max(|dᵀa|, |numeric|): the tolerance part of the allowance. */
  toleranceAllowance: number;
  /** The finite difference's error estimate. */
  errorEstimate: number;
  /** u_i·h_i for each entry of the group. */
  displacements: Float64Array;
  /** |u_i| for each entry: its displacement over its own step. */
  weights: Float64Array;
}

export interface ScreenLimits {
  /** ρ/(1 + ρ): an error of ρ relative to the true gradient is at least this relative to the analytic one. */
  relativeTarget: number;
  tolerance: number;
  absoluteTolerance: number;
}

/**
 * A 1 − tol share of a single entry's move shows in the directional derivative even when the
 * analytic side is scaled by it: the floor divides by this.
 */
const shrinkOf = (tolerance: number): number => 1 - tolerance;

/** Files a passing block: each entry's partition bit, its class, the tensor's floors. */
export function markScreened(record: TensorRecord, group: ArrayLike<number>, partitionBit: number, pass: PassingDirection, limits: ScreenLimits): void {
  const { analytic } = record.tensor;
  const shrink = shrinkOf(limits.tolerance);
  for (let k = 0; k < group.length; k++) {
    const index = group[k];
    const move = shrink * Math.abs(pass.displacements[k]);
    const toleranceFloor = pass.toleranceAllowance / move;
    const noiseFloor = pass.errorEstimate / move;
    const floor = toleranceFloor + noiseFloor;
    const magnitude = Math.abs(analytic[index]);
    let screenClass: ScreenClass;
    if (toleranceFloor > Math.max(limits.relativeTarget * magnitude, noiseFloor * Math.abs(pass.weights[k]))) screenClass = WEAK;
    else if (floor <= limits.relativeTarget * magnitude) {
      screenClass = RESOLVED;
      record.screenedTo = Math.max(record.screenedTo ?? 0, floor / magnitude);
    } else if (noiseFloor <= limits.tolerance * magnitude + limits.absoluteTolerance) screenClass = NEGLIGIBLE;
    else screenClass = UNRESOLVED;
    const status = record.screen[index];
    const worst = Math.max(classOf(status), screenClass);
    record.screen[index] = (status & ~CLASS_MASK) | partitionBit | (worst << CLASS_SHIFT);
    record.detectionFloor = Math.max(record.detectionFloor ?? 0, floor);
  }
}

/** The σ-error at which every entry of a group would be resolved or negligible: the step grows until the estimate is below it. */
export function neededErrorOver(record: TensorRecord, group: ArrayLike<number>, displacements: Float64Array, limits: ScreenLimits): number {
  const { analytic } = record.tensor;
  const shrink = shrinkOf(limits.tolerance);
  let needed = Infinity;
  for (let k = 0; k < group.length; k++) {
    const perEntry = Math.max(limits.relativeTarget * Math.abs(analytic[group[k]]), limits.absoluteTolerance);
    needed = Math.min(needed, shrink * Math.abs(displacements[k]) * perEntry);
  }
  return needed;
}

/** Marks the entries of a group the report lists as a whole (a failing block not localized, an unlocalized disagreement). */
export function markReportedGroup(record: TensorRecord, group: ArrayLike<number>): void {
  for (let k = 0; k < group.length; k++) record.screen[group[k]] |= IN_REPORTED_GROUP;
}
