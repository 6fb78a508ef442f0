/**
 * The figures behind "one meaning of pass" (issue 15), measured in the same run as the rest of the
 * bench: a 10⁷-entry parameter under the default options (time, calls, peak extra bytes per entry),
 * the same report at 1×, 10× and 100× forward cost, the rate at which two exactly cancelling wrong
 * entries of one block are missed, how often a forward that is random on 1 % of its calls is caught,
 * and how closely a real-time guard holds.
 */
import type { GradientReport } from '../src/index.js';
import { checkGradients } from './package-under-test.js';
import { createRng } from '../src/engine/rng.js';
import { FlakyAffine, slowedDown } from '../test/zoo/hostile/layers.js';
import { LargeDense } from '../test/zoo/large/dense.js';
import { LargeEmbedding } from '../test/zoo/large/embedding.js';
import { oneBand, pairVerdicts } from '../test/zoo/protocol/one-band.js';
import { measurePeakMemory } from './peak-memory.js';
import { timed } from './timing.js';

export const GUARANTEE_GOALS = {
  bytesPerEntry: 64,
  /** The default guard, maxSeconds. */
  seconds1e7: 30,
  missedPairs: 0.01,
  randomCaught: 0.99,
  guardOvershoot: 1.25,
};

const log = (message: string): void => {
  process.stderr.write(`  … ${message}\n`);
};

export interface TenMillion {
  entries: number;
  seconds: number;
  report: GradientReport;
  bytesPerEntry: number;
  /** The off-by-one scatter into a neighbouring row: found by exact entry? */
  scatterFound: boolean;
}

/** An embedding of 1,000,000 rows × 10 looked up at 5 tokens: forward costs the same whatever the table's size. */
export function tenMillionEntries(): TenMillion {
  const rows = 1_000_000;
  const tokens = [3, 17, rows - 2, 17, 999];
  log('embedding 1,000,000 × 10 (1e7 entries): default options, sampling live memory');
  const layer = new LargeEmbedding({ rows, width: 10, tokens });
  const memory = measurePeakMemory(layer as never, 512, (metered) => timed(() => checkGradients(metered as never, { checkInput: false })));
  log('embedding 1,000,000 × 10: the same with row 999 scattered into row 1000');
  const buggy = checkGradients(new LargeEmbedding({ rows, width: 10, tokens, scatterTo: (row) => (row === 999 ? 1000 : row) }) as never);
  const blamed = new Set(buggy.tensors[0].failures.map((f) => Math.floor(f.index / 10)));
  return {
    entries: rows * 10,
    seconds: memory.value.seconds,
    report: memory.value.value,
    bytesPerEntry: memory.peakExtraBytes / (rows * 10),
    scatterFound: buggy.verdict === 'fail' && blamed.has(999) && blamed.has(1000),
  };
}

export interface SlowDown {
  identical: boolean;
  seconds: number[];
  verdict: string;
  kind: string;
}

/** One layer (auto plans projection) with a planted error, forward made 10× and 100× slower by spinning. */
export function slowDownInvariance(): SlowDown {
  const factors = [1, 10, 100];
  const runs = factors.map((factor) => {
    log(`dense 100×50 + 1 planted: default mode at ${factor}× forward cost`);
    const layer = slowedDown(new LargeDense({ inSize: 100, outSize: 50, plantedWeightErrors: new Map([[1234, 1.01]]) }), factor);
    return timed(() => checkGradients(layer));
  });
  const comparable = runs.map((run) => JSON.stringify({ ...run.value, elapsedSeconds: 0 }, (_key, value: unknown) => (value instanceof Float64Array ? Array.from(value) : value)));
  return {
    identical: comparable.every((text) => text === comparable[0]),
    seconds: runs.map((run) => run.seconds),
    verdict: runs[0].value.verdict,
    kind: runs[0].value.mode.kind,
  };
}

export interface MissedPairs {
  seeds: number;
  /** Missed share at 5× and 10× the floor. */
  atFive: number;
  atTen: number;
}

/** Two wrong entries with exactly cancelling errors in a band of 32 entries (one block): the worst case. */
export function missedPairRates(seeds = 3000): MissedPairs {
  log(`missed pairs: ${seeds} seeds at 5× and 10× the floor`);
  const floor = checkGradients(oneBand(32), { mode: 'projection' }).tensors[0].coverage.detectionFloor as number;
  const rate = (floors: number): number => pairVerdicts((layer, seed) => checkGradients(layer, { mode: 'projection', seed }), floor, floors, seeds).pass / seeds;
  return { seeds, atFive: rate(5), atTen: rate(10) };
}

/** Share of seeded runs in which a forward that changes on 1 % of its calls is reported impossible. */
export function rareRandomness(runs = 1000): { runs: number; caught: number } {
  log(`rare randomness: ${runs} seeded runs of a forward that changes on 1 % of its calls`);
  let caught = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const random = createRng(seed);
    if (checkGradients(new FlakyAffine(0.01, () => random.next()), { seed }).verdict === 'impossible') caught++;
  }
  return { runs, caught: caught / runs };
}

/** A layer of about 25 ms per forward call (spinning), checked with maxSeconds 1: how long the check really ran. */
export function guardOnRealTime(): { maxSeconds: number; seconds: number; reason: string | null } {
  log('real-time guard: a 25 ms layer with maxSeconds 1');
  const layer = oneBand(64);
  const forward = layer.forward;
  layer.forward = () => {
    const until = performance.now() + 25;
    while (performance.now() < until) {
      // A slow device: 25 ms per call.
    }
    return forward();
  };
  const run = timed(() => checkGradients(layer as never, { maxSeconds: 1 }));
  return { maxSeconds: 1, seconds: run.seconds, reason: run.value.stop?.reason ?? null };
}
