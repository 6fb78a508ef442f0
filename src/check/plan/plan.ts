import type { Dtype } from '../../engine/dtype.js';
import { MEASUREMENTS_PER_EXTRA_CHECK } from '../sweep/determinism.js';
import { blockSizesFor, MAX_BLOCK } from '../sweep/modes/bands.js';
import { sampleCount } from '../sweep/modes/sample.js';

/**
 * Block size a projection aims for, per dtype. A block's allowance is tol·|dᵀa| ≈ tol·1.5·√B·(its
 * entries' gradient), so one entry's floor relative to its own gradient is about 3·tol·√B within a
 * magnitude band (gradients within a factor 2). float64: 4096 entries keep it near 2e-4, five times
 * under the 1e-3 screening target; float32: 8 entries keep it near 0.09, about what float32's own
 * rounding leaves a single entry's finite difference anyway.
 */
export const TARGET_BLOCK: Record<Dtype, number> = { float64: 4096, float32: 8 };

/** Calls kept after the sweep for the joint check of coupled kinks and the diagnoses' extra backward run. */
export const RESERVE_AFTER_SWEEP = 64;

/** Share of the calls left after the probe that auto may give to screening; the rest localizes what disagrees. */
const SCREENING_SHARE = 0.7;
/** Forward calls of one direction, step growth included on average. */
const CALLS_PER_DIRECTION = 5;

export interface PlanFacts {
  mode: 'auto' | 'exhaustive' | 'projection';
  /** The `sample` option, or null. */
  sample: number | null;
  dtype: Dtype;
  /** Entries each tensor's scope holds. */
  entriesInScope: number[];
  /** Per tensor, the sizes of its magnitude bands (see bands.ts). */
  bandSizes: number[][];
  /** Counted on the probe: forward calls per measured entry, step growth included (4 at least). */
  callsPerEntry: number;
  /** Calls into the layer made so far. */
  callsUsed: number;
  /** Calls the rest of the check needs besides its mode: re-evaluations still owed, joint checks, diagnoses. */
  callsReserved: number;
  maxEvaluations: number;
}

export interface Plan {
  kind: 'exhaustive' | 'projection' | 'sample';
  reason: string;
  blockSize: number | null;
  /** Entries to measure one by one per tensor, for `sample` and for `projection` with `sample` given. */
  sampleCounts: number[] | null;
  /** Measurements (entries or directions) expected, to spread the determinism re-evaluations over. */
  expectedMeasurements: number;
  /** For 'auto': about how many calls the whole check needs to screen every entry to its guarantee (the target blocks). */
  neededEvaluations: number | null;
}

const calls = (n: number): string => (n === Infinity ? 'unlimited' : Math.round(n).toLocaleString('en-US'));

/** Directions a projection with blocks of `size` makes: each band cut into blocks, once per partition. */
function directionsFor(bandSizes: number[][], size: number): number {
  return bandSizes.flat().reduce((n, band) => n + blockSizesFor(band, size).reduce((blocks, blockSize) => blocks + Math.ceil(band / blockSize), 0), 0);
}

/**
 * Plans from counts only (entries, bands, calls per entry on the probe, the budget in calls), so
 * the same layer and seed get the same plan on any machine. 'auto' is exhaustive where that fits
 * the budget, else projection with the target blocks, grown (at the cost of each entry's floor,
 * which the report states) until the screening fits.
 */
export function planCheck(facts: PlanFacts): Plan {
  const total = facts.entriesInScope.reduce((a, b) => a + b, 0);
  const exhaustive = (reason: string): Plan => ({ kind: 'exhaustive', reason, blockSize: null, sampleCounts: null, expectedMeasurements: total, neededEvaluations: null });
  if (facts.mode === 'exhaustive') return exhaustive("mode: 'exhaustive' was given");
  const sampleCounts = facts.entriesInScope.map((n) => (n === 0 || facts.sample === null ? 0 : sampleCount(facts.sample, n)));
  const sampled = sampleCounts.reduce((a, b) => a + b, 0);
  if (facts.sample !== null && facts.mode === 'auto') {
    return { kind: 'sample', reason: `sample: ${facts.sample} was given`, blockSize: null, sampleCounts, expectedMeasurements: sampled, neededEvaluations: null };
  }
  const projection = (blockSize: number, reason: string): Plan => ({
    kind: 'projection',
    reason,
    blockSize,
    sampleCounts,
    expectedMeasurements: directionsFor(facts.bandSizes, blockSize) + sampled,
    neededEvaluations: null,
  });
  const target = TARGET_BLOCK[facts.dtype];
  // An explicit projection is reproducible: the target blocks, and only the sample asked for.
  if (facts.mode === 'projection') return projection(target, "mode: 'projection' was given");

  const budget = Math.max(0, facts.maxEvaluations - facts.callsUsed - facts.callsReserved);
  // Each measurement also owes a share of a re-evaluation of the unperturbed point (see determinism.ts).
  const exhaustiveCalls = (facts.callsPerEntry + 1 / MEASUREMENTS_PER_EXTRA_CHECK) * total;
  if (exhaustiveCalls <= budget) {
    return exhaustive(`auto: about ${calls(exhaustiveCalls)} forward calls fit the budget of ${calls(facts.maxEvaluations)} calls`);
  }
  const screening = SCREENING_SHARE * budget;
  let blockSize = target;
  while (CALLS_PER_DIRECTION * directionsFor(facts.bandSizes, blockSize) > screening && blockSize < Math.min(total, MAX_BLOCK)) blockSize *= 2;
  const planned = projection(
    blockSize,
    `auto: exhaustive would need about ${calls(exhaustiveCalls)} forward calls, over the budget of ${calls(facts.maxEvaluations)} calls`,
  );
  const screeningCalls = CALLS_PER_DIRECTION * directionsFor(facts.bandSizes, target);
  return { ...planned, neededEvaluations: Math.ceil((facts.callsUsed + facts.callsReserved + screeningCalls / SCREENING_SHARE) / 1000) * 1000 };
}
