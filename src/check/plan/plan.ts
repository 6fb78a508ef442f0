import type { Dtype } from '../../engine/dtype.js';
import { formatNumber } from '../../engine/format-number.js';
import { MIN_CENTER_CHECKS } from '../sweep/determinism.js';
import { sampleCount } from '../sweep/modes/sample.js';

/**
 * Block size a projection aims for: a direction over m entries carries the tolerance of a sum of m
 * gradients, ≈ tolerance·√m·(typical gradient), so its floor for one wrong entry grows as √m. 1000
 * float64 entries keep that floor near 5e-5 of a typical gradient; float32's tolerance is 1e4 times
 * larger, so 32 entries keep its floor near a tenth of a typical gradient.
 */
const TARGET_BLOCK: Record<Dtype, number> = { float64: 1000, float32: 32 };

/**
 * Shares of the planned calls: directions over blocks, entries measured at random (the rest is
 * left for localizing what disagrees). Blocks already screen every entry; the sample adds exact
 * per-entry checks on a few, so it is kept small and capped per tensor.
 */
const SCREENING_SHARE = 0.6;
const SAMPLE_SHARE = 0.1;
const MAX_SAMPLE_PER_TENSOR = 256;
/** Forward calls of one direction, growth included on average. */
const CALLS_PER_DIRECTION = 5;

export interface PlanFacts {
  mode: 'auto' | 'exhaustive' | 'projection';
  /** The `sample` option, or null. */
  sample: number | null;
  dtype: Dtype;
  /** Entries each tensor's scope holds. */
  entriesInScope: number[];
  /** Measured on the calls so far (the probe of the largest gradients): wall time of one forward call with the check's own work. */
  secondsPerCall: number;
  /** Measured on the probe: forward calls per entry, step growth included (4 at least). */
  callsPerEntry: number;
  callsUsed: number;
  maxEvaluations: number;
  maxSeconds: number;
}

export interface Plan {
  kind: 'exhaustive' | 'projection' | 'sample';
  reason: string;
  blockSize: number | null;
  /** Entries to measure one by one per tensor, for `sample` and `projection`. */
  sampleCounts: number[] | null;
  /** Measurements (entries or directions) expected, to spread the determinism re-evaluations over. */
  expectedMeasurements: number;
}

const calls = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Exhaustive where it fits the budget (forward calls and seconds, whichever binds first), else
 * projection with localization plus a sample of entries measured one by one.
 */
export function planCheck(facts: PlanFacts): Plan {
  const total = facts.entriesInScope.reduce((a, b) => a + b, 0);
  const exhaustive = (reason: string): Plan => ({ kind: 'exhaustive', reason, blockSize: null, sampleCounts: null, expectedMeasurements: total });
  if (facts.mode === 'exhaustive') return exhaustive("mode: 'exhaustive' was given");
  if (facts.sample !== null && facts.mode === 'auto') {
    const counts = facts.entriesInScope.map((n) => (n === 0 ? 0 : sampleCount(facts.sample as number, n)));
    return {
      kind: 'sample',
      reason: `sample: ${facts.sample} was given`,
      blockSize: null,
      sampleCounts: counts,
      expectedMeasurements: counts.reduce((a, b) => a + b, 0),
    };
  }
  const explicitSample = (): number[] => facts.entriesInScope.map((n) => (n === 0 || facts.sample === null ? 0 : sampleCount(facts.sample, n)));
  const planProjection = (blockSize: number, sampleCounts: number[], reason: string): Plan => {
    const directions = facts.entriesInScope.reduce((n, entries) => n + Math.ceil(entries / blockSize), 0);
    return { kind: 'projection', reason, blockSize, sampleCounts, expectedMeasurements: directions + sampleCounts.reduce((a, b) => a + b, 0) };
  };
  // An explicit projection is reproducible: fixed blocks, and only the sample asked for.
  if (facts.mode === 'projection') return planProjection(TARGET_BLOCK[facts.dtype], explicitSample(), "mode: 'projection' was given");

  const affordable = Math.min(facts.maxEvaluations, facts.maxSeconds / Math.max(facts.secondsPerCall, 1e-9));
  const budget = Math.max(0, affordable - facts.callsUsed - MIN_CENTER_CHECKS);
  const exhaustiveCalls = facts.callsPerEntry * total;
  // An estimate: two digits say all it knows.
  const seconds = (n: number): string => {
    const estimate = n * facts.secondsPerCall;
    return estimate < 0.01 ? '< 0.01 s' : `≈ ${formatNumber(Number(estimate.toPrecision(2)))} s`;
  };
  if (exhaustiveCalls <= budget) {
    return exhaustive(`auto: about ${calls(exhaustiveCalls)} forward calls (${seconds(exhaustiveCalls)}) fit the budget`);
  }
  const blocks = Math.max(1, Math.floor((SCREENING_SHARE * budget) / CALLS_PER_DIRECTION));
  const blockSize = Math.max(TARGET_BLOCK[facts.dtype], Math.ceil(total / blocks));
  return planProjection(
    blockSize,
    proportionalSample(facts.entriesInScope, Math.floor((SAMPLE_SHARE * budget) / facts.callsPerEntry)),
    `auto: exhaustive would need about ${calls(exhaustiveCalls)} forward calls (${seconds(exhaustiveCalls)}), ` +
      `over the budget of ${formatNumber(facts.maxSeconds)} s and ${calls(facts.maxEvaluations)} calls`,
  );
}

/** `count` entries shared in proportion to tensor size, at least one per non-empty tensor. */
function proportionalSample(entriesInScope: number[], count: number): number[] {
  const total = entriesInScope.reduce((a, b) => a + b, 0);
  return entriesInScope.map((n) => (n === 0 ? 0 : Math.min(n, MAX_SAMPLE_PER_TENSOR, Math.max(1, Math.floor((count * n) / Math.max(total, 1))))));
}
