import { directionOver, directionWeights } from '../direction-measurement.js';
import { measurePerturbation } from '../entry-measurement.js';
import type { CheckProcess } from '../../layer-call.js';
import { mixSeed } from '../../../engine/rng.js';
import type { TensorRecord } from '../tensor-record.js';
import type { UnresolvedGroup } from '../../report-types.js';
import { measureEntries } from './exhaustive.js';
import type { SweepContext } from '../sweep-context.js';

/**
 * A projection that could miss a single wrong entry of a tenth of the layer's largest gradient has
 * not checked the tensor: such a tensor is reported inconclusive, like an unresolved entry.
 */
export const FLOOR_LIMIT = 0.1;

/** Groups this small are measured entry by entry: two directions cost as much as two entries. */
const LEAF_SIZE = 2;

/**
 * A disagreement that neither half reproduces (twice) is settled entry by entry up to this many
 * entries; beyond it the group is reported as not localized, never passed.
 */
const FALLBACK_ENTRIES = 4096;

/**
 * Once this many wrong entries of a tensor are located, further disagreeing blocks are reported as
 * blocks: a gradient wrong everywhere would otherwise cost more than the exhaustive check, and the
 * located entries already show the pattern (a factor, a sign, a transpose).
 */
export const LOCALIZED_FAILURES_LIMIT = 16;

export interface ProjectionSettings {
  blockSize: number;
  gradientScale: number;
  /** Position of the tensor in the report, to give each tensor its own directions. */
  tensorIndex: number;
}

/**
 * Projection with localization. Each block of `blockSize` entries is checked with one directional
 * derivative (4 forward calls, the same estimator and verdict as a single entry). A block that
 * disagrees is halved, and each half checked with a fresh direction, down to single entries
 * measured one by one: f wrong entries among N cost O(f·log N) calls, and the report names them
 * exactly. Passing blocks set the tensor's detection floor: the smallest single-entry error that
 * would have failed them.
 */
export function* projectTensor(record: TensorRecord, settings: ProjectionSettings, context: SweepContext): CheckProcess<void> {
  const { scope } = record;
  const screened = new Uint8Array(record.tensor.view.size);
  for (let start = 0; start < scope.length; start += settings.blockSize) {
    const group = scope.subarray(start, Math.min(scope.length, start + settings.blockSize));
    if (context.outOfTime()) {
      record.skipped += scope.length - start;
      return;
    }
    if (!(yield* passesProjection(record, group, settings, context, 0, screened))) yield* localize(record, group, settings, context, screened);
  }
}

/** A block of entries reported as a whole: where it starts and ends, its size, and why. */
function blockOf(record: TensorRecord, group: Uint32Array, reason: string): UnresolvedGroup {
  const { view } = record.tensor;
  return { first: view.position(group[0]), last: view.position(group[group.length - 1]), entries: group.length, reason };
}

function* localize(
  record: TensorRecord,
  group: Uint32Array,
  settings: ProjectionSettings,
  context: SweepContext,
  screened: Uint8Array,
): CheckProcess<void> {
  if (record.failures.length >= LOCALIZED_FAILURES_LIMIT) {
    record.failingBlocks.push(
      blockOf(record, group, `its directional derivative disagrees; not localized further, as ${record.failures.length} wrong entries of this tensor were already located`),
    );
    return;
  }
  if (group.length <= LEAF_SIZE) {
    yield* measureEntries(record, group, context);
    return;
  }
  const middle = group.length >> 1;
  const halves = [group.subarray(0, middle), group.subarray(middle)];
  const failing: Uint32Array[] = [];
  // A second direction per half before giving up: two errors in one half can nearly cancel in one direction.
  for (let attempt = 1; attempt <= 2 && failing.length === 0; attempt++) {
    for (const half of halves) {
      if (!(yield* passesProjection(record, half, settings, context, attempt, screened))) failing.push(half);
    }
  }
  if (failing.length === 0) {
    if (group.length <= FALLBACK_ENTRIES && !context.outOfTime()) {
      yield* measureEntries(record, group, context);
    } else {
      record.unlocalized.push(
        blockOf(
          record,
          group,
          'a directional derivative over these entries disagreed, but neither half did (in two directions each): ' +
            'the error is spread over many entries or cancels between them, and there are too many to measure one by one',
        ),
      );
    }
    return;
  }
  for (const half of failing) yield* localize(record, half, settings, context, screened);
}

/** One directional derivative over `group`; on a pass, the group counts as screened and sets the detection floor. */
function* passesProjection(
  record: TensorRecord,
  group: Uint32Array,
  settings: ProjectionSettings,
  context: SweepContext,
  attempt: number,
  screened: Uint8Array,
): CheckProcess<boolean> {
  const { view, analytic } = record.tensor;
  const weights = directionWeights(group.length, mixSeed(context.seed, settings.tensorIndex, group[0], group.length, attempt));
  const direction = directionOver(view, group, weights, analytic, context);
  const shrink = 1 - context.tolerance;
  // Grow the step while the floor would exceed the limit: an allowance on dJ/dσ of L·|u|·h is a floor of L.
  const directionContext = { ...context, absoluteTolerance: FLOOR_LIMIT * settings.gradientScale * direction.weakestWeight * shrink };
  const measurement = yield* measurePerturbation(direction.perturbation, direction.analytic, directionContext);
  yield* context.afterMeasurement(measurement.suspicious);
  // A kink in the group widens the accepted interval by its jump, which would hide errors that
  // size: such groups are halved like failing ones, so the kink ends up measured on its own.
  if (!measurement.verdict.pass || measurement.estimate.kink !== null) return false;
  // A single wrong entry i moves the directional derivative by |u_i·h_i|·error ≥ weakestWeight·error.
  const floor = measurement.verdict.allowed / (shrink * direction.weakestWeight);
  record.detectionFloor = Math.max(record.detectionFloor ?? 0, floor);
  for (const index of group) {
    if (screened[index] === 0) {
      screened[index] = 1;
      record.screened++;
    }
  }
  return true;
}
