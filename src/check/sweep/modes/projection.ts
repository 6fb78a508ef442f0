import { mixSeed } from '../../../engine/rng.js';
import type { CheckProcess } from '../../layer-call.js';
import type { UnresolvedGroup } from '../../report-types.js';
import { directionOver, directionWeights } from '../direction-measurement.js';
import { measurePerturbation } from '../entry-measurement.js';
import {
  bothPassed,
  classOf,
  markReportedGroup,
  markScreened,
  neededErrorOver,
  PASSED_FIRST,
  PASSED_SECOND,
  WEAK,
  type ScreenLimits,
} from '../screening.js';
import type { SweepContext } from '../sweep-context.js';
import { isMeasured, type TensorRecord } from '../tensor-record.js';
import { blockSizesFor, consecutiveBlocks, magnitudeBands, shuffledBlocks } from './bands.js';
import { measureEntries } from './exhaustive.js';

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
  /** Position of the tensor in the report, to give each tensor its own directions. */
  tensorIndex: number;
  limits: ScreenLimits;
}

/** One partition's blocks and the bit its passing blocks set. */
interface Partition {
  bit: number;
  /** Mixed into direction seeds, so the two partitions' directions are independent. */
  salt: number;
}

const PARTITIONS: readonly Partition[] = [
  { bit: PASSED_FIRST, salt: 0 },
  { bit: PASSED_SECOND, salt: 0x2f00 },
];

/**
 * Projection with localization. The tensor's entries are banded by the magnitude of their analytic
 * gradient and each band is cut into blocks twice, consecutively and after a seeded shuffle. Each
 * block is checked with one directional derivative (4 forward calls, the same estimator and
 * verdict as a single entry). A block that disagrees is halved, and each half checked with a fresh
 * direction, down to single entries measured one by one: f wrong entries among N cost O(f·log N)
 * calls, and the report names them exactly. Passing blocks set each entry's floor (screening.ts);
 * entries whose floor larger neighbours set too high are measured alone (`measureWeakEntries`).
 */
export function* projectTensor(record: TensorRecord, settings: ProjectionSettings, context: SweepContext): CheckProcess<void> {
  const bands = magnitudeBands(record.tensor.analytic, record.scope);
  for (const partition of PARTITIONS) {
    for (const band of bands) {
      // Entries already measured one by one (the probe's, those a localization reached) need no screening.
      const open = withoutMeasured(record, band);
      const [first, second] = blockSizesFor(band.length, settings.blockSize);
      const blocks = partition.bit === PASSED_FIRST ? consecutiveBlocks(open, first) : shuffledBlocks(open, second, context.seed);
      for (const block of blocks) {
        if (!(yield* passesProjection(record, block, settings, context, { partition, attempt: 0 }))) yield* localize(record, block, settings, context, partition);
      }
    }
  }
}

function withoutMeasured(record: TensorRecord, entries: Uint32Array): Uint32Array {
  let open = 0;
  for (const index of entries) if (!isMeasured(record, index)) open++;
  if (open === entries.length) return entries;
  const kept = new Uint32Array(open);
  let k = 0;
  for (const index of entries) if (!isMeasured(record, index)) kept[k++] = index;
  return kept;
}

/** Forward calls a single entry costs, step growth included on average: the measure for whether the weak entries fit. */
const CALLS_PER_ENTRY = 5;

/**
 * Entries both partitions passed but whose floor the block's larger gradients set above the
 * guarantee: measured one by one when all of them fit the calls left (`reserve` kept for what follows);
 * otherwise none is, and they stay weak (inconclusive) rather than use up the budget on a part of them.
 */
export function* measureWeakEntries(record: TensorRecord, context: SweepContext, reserve: number): CheckProcess<void> {
  const weak: number[] = [];
  for (const index of record.scope) {
    const status = record.screen[index];
    if (bothPassed(status) && classOf(status) === WEAK && !isMeasured(record, index)) weak.push(index);
  }
  if (weak.length > 0 && CALLS_PER_ENTRY * weak.length <= context.evaluationsLeft() - reserve) yield* measureEntries(record, weak, context);
}

/** A block of entries reported as a whole: where it starts and ends, its size, and why. */
function blockOf(record: TensorRecord, group: Uint32Array, reason: string): UnresolvedGroup {
  const { view } = record.tensor;
  markReportedGroup(record, group);
  return { first: view.position(group[0]), last: view.position(group[group.length - 1]), entries: group.length, reason };
}

function* localize(record: TensorRecord, group: Uint32Array, settings: ProjectionSettings, context: SweepContext, partition: Partition): CheckProcess<void> {
  if (record.failures.length >= LOCALIZED_FAILURES_LIMIT) {
    const reason = `its directional derivative disagrees; not localized further, as ${record.failures.length} wrong entries of this tensor were already located`;
    record.failingBlocks.push(blockOf(record, group, reason));
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
      if (!(yield* passesProjection(record, half, settings, context, { partition, attempt }))) failing.push(half);
    }
  }
  if (failing.length > 0) {
    for (const half of failing) yield* localize(record, half, settings, context, partition);
  } else if (group.length <= FALLBACK_ENTRIES) {
    yield* measureEntries(record, group, context);
  } else {
    const reason =
      'a directional derivative over these entries disagreed, but neither half did (in two directions each): ' +
      'the error is spread over many entries or cancels between them, and there are too many to measure one by one';
    record.unlocalized.push(blockOf(record, group, reason));
  }
}

/** One directional derivative over `group`; on a pass, its entries are screened (screening.ts). */
function* passesProjection(
  record: TensorRecord,
  group: Uint32Array,
  settings: ProjectionSettings,
  context: SweepContext,
  which: { partition: Partition; attempt: number },
): CheckProcess<boolean> {
  const { view, analytic } = record.tensor;
  const seed = mixSeed(context.seed, settings.tensorIndex, group[0], group.length, which.attempt + which.partition.salt);
  const weights = directionWeights(group.length, seed);
  const direction = directionOver(view, group, weights, analytic, context);
  // Grow the step while noise keeps some entry from being resolved or negligible (rounding falls as 1/h).
  const needed = neededErrorOver(record, group, direction.displacements, settings.limits);
  const measurement = yield* measurePerturbation(direction.perturbation, direction.analytic, { ...context, absoluteTolerance: needed });
  if (context.measured(measurement.suspicious)) yield* context.catchUp();
  // A kink in the group widens the accepted interval by its jump, which would hide errors that
  // size: such groups are halved like failing ones, so the kink ends up measured on its own.
  if (!measurement.verdict.pass || measurement.estimate.kink !== null) return false;
  const { allowed } = measurement.verdict;
  const { errorEstimate } = measurement.estimate;
  markScreened(record, group, which.partition.bit, { toleranceAllowance: allowed - errorEstimate, errorEstimate, displacements: direction.displacements, weights }, settings.limits);
  return true;
}
