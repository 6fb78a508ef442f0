/**
 * npm run bench — what the check costs, measured side by side in one run: the exhaustive sweep's
 * overhead over the forward calls it makes, the default mode against the naive seed algorithm,
 * projection on a layer of a million parameters with planted wrong entries, and calls per entry
 * and memory per entry of the exhaustive sweep. Prints a table, the goals, and one closing line.
 * A benchmark, not a test: it exits 0 whatever it measures.
 */
import { loadavg } from 'node:os';
import type { GradientCheckOptions, GradientReport } from '../src/index.js';
import { checkGradients } from './package-under-test.js';
import { createRng } from '../src/engine/rng.js';
import { LargeConv2d } from '../test/zoo/large/conv2d.js';
import { LargeDense } from '../test/zoo/large/dense.js';
import { LargeMlp } from '../test/zoo/large/mlp.js';
import { checkedEntries, exhaustiveCallModel } from './exhaustive-calls.js';
import { withForwardHook } from './forward-hook.js';
import { describeMachine } from './machine.js';
import { acrossRows } from './across.js';
import { GUARANTEE_GOALS, guardOnRealTime, missedPairRates, rareRandomness, slowDownInvariance, tenMillionEntries } from './guarantees.js';
import { naiveGradients, NAIVE_EPSILON, type CopyableTensor, type EntryRef } from './naive-gradcheck.js';
import { measurePeakMemory } from './peak-memory.js';
import { count, formatTable, percent, seconds, type Cell } from './table.js';
import { fastest, timed, type Timed } from './timing.js';

/** Seed of everything the bench itself draws: planted indices, the naive algorithm's entries and its loss projection. */
const BENCH_SEED = 2024;
/** Timed runs of each side of a ratio; the fastest of each is used (see timing.ts). */
const REPEATS = 3;
/** Rounds of the overhead measurement (each one exhaustive check and as many bare forward calls). */
const OVERHEAD_ROUNDS = 7;
/** Entries the naive algorithm is timed on; its time over all entries is extrapolated linearly. */
const NAIVE_SAMPLE = 300;
/** The memory measurement samples the live heap at every this many forward calls. */
const MEMORY_SAMPLE_EVERY = 512;

const GOALS = {
  overhead: 1.1,
  speedupVsSeed: 100,
  projectionShare: 0.01,
  mlpSeconds: 10,
  float32CallsPerEntry: 5,
  wrongLayerCallsPerEntry: 5,
};

type Storage = Float64Array | Float32Array;

interface Row {
  layer: string;
  entries: number;
  mode: string;
  forwardCalls: number;
  wallSeconds: number;
  verdict: string;
  note: string;
}

const rows: Row[] = [];
const log = (message: string): void => {
  process.stderr.write(`  … ${message}\n`);
};

function modeText(options: GradientCheckOptions | undefined, report: GradientReport): string {
  const asked = options?.mode ?? 'default';
  return asked === report.mode.kind ? asked : `${asked} → ${report.mode.kind}`;
}

function addCheckRow(layer: string, options: GradientCheckOptions | undefined, report: GradientReport, wallSeconds: number, note = ''): void {
  const blocks = report.mode.blockSize === null ? '' : `blocks of ${count(report.mode.blockSize)}`;
  rows.push({
    layer,
    entries: checkedEntries(report),
    mode: modeText(options, report),
    forwardCalls: report.forwardCalls,
    wallSeconds,
    verdict: report.verdict,
    note: [blocks, note].filter((part) => part !== '').join('; '),
  });
}

function runCheck(layerName: string, layer: Parameters<typeof checkGradients>[0], options?: GradientCheckOptions, note = ''): GradientReport {
  log(`${layerName}: ${options?.mode ?? 'default'} mode`);
  const { value: report, seconds: wall } = timed(() => checkGradients(layer, options));
  addCheckRow(layerName, options, report, wall, note);
  return report;
}

/** `howMany` distinct seeded random integers in [0, size). */
function seededIndices(size: number, howMany: number, seed: number): number[] {
  const rng = createRng(seed);
  const chosen = new Set<number>();
  while (chosen.size < howMany) chosen.add(Math.floor(rng.next() * size));
  return [...chosen];
}

/** Which planted weight-gradient entries the report names exactly, and how many other entries it blames. */
function plantedFound(report: GradientReport, planted: ReadonlyMap<number, number>): { found: number; others: number } {
  let found = 0;
  let others = 0;
  for (const tensor of report.tensors) {
    for (const failure of tensor.failures) {
      if (tensor.name === 'W' && planted.has(failure.index)) found++;
      else others++;
    }
  }
  return { found, others };
}

const perEntry = (calls: number, entries: number): string => (calls / entries).toFixed(2);

console.log(`expect-gradcheck bench — ${describeMachine()}, load average ${loadavg()[0].toFixed(2)} at start`);
console.log('');

// ── 1. Overhead: the exhaustive sweep against the same number of bare forward calls ──────────────
const dense64 = new LargeDense({ inSize: 64, outSize: 64, batch: 8 });
const dense64Input = dense64.sampleInput();
const bareForwardCalls = (calls: number): number => {
  // Same layer, same input values as the check's (it forwards a deep copy of sampleInput()).
  let sink = 0;
  for (let k = 0; k < calls; k++) sink += dense64.forward(dense64Input)[0];
  return sink;
};
log('dense 64×64: warm-up');
checkGradients(dense64, { mode: 'exhaustive', shard: [1, 4] });
bareForwardCalls(2000);
const exhaustiveRuns: Timed<GradientReport>[] = [];
const bareRuns: Timed<number>[] = [];
for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
  log(`dense 64×64: exhaustive check and bare forward calls, round ${round + 1} of ${OVERHEAD_ROUNDS}`);
  // Alternating the order cancels slow drifts (thermal, other processes) between the two sides;
  // the first round runs the check first, since the bare side makes as many calls as it did.
  const checkSide = (): void => {
    exhaustiveRuns.push(timed(() => checkGradients(dense64, { mode: 'exhaustive' })));
  };
  const bareSide = (): void => {
    bareRuns.push(timed(() => bareForwardCalls(exhaustiveRuns[0].value.forwardCalls)));
  };
  const sides = round % 2 === 0 ? [checkSide, bareSide] : [bareSide, checkSide];
  for (const side of sides) side();
}
const exhaustive64 = exhaustiveRuns[0].value;
const wallOf = (runs: Timed<unknown>[]): number[] => runs.map((run) => run.seconds);
const cpuOf = (runs: Timed<unknown>[]): number[] => runs.map((run) => run.cpuSeconds);
const bestExhaustive = Math.min(...wallOf(exhaustiveRuns));
const bestBare = Math.min(...wallOf(bareRuns));
const overhead = bestExhaustive / bestBare;
const overheadCpu = Math.min(...cpuOf(exhaustiveRuns)) / Math.min(...cpuOf(bareRuns));
const entries64 = checkedEntries(exhaustive64);
const listed = (values: number[]): string => values.map(seconds).join(' / ');
addCheckRow('dense 64×64, batch 8', { mode: 'exhaustive' }, exhaustive64, bestExhaustive, `fastest of ${listed(wallOf(exhaustiveRuns))} s; CPU ${listed(cpuOf(exhaustiveRuns))} s`);
rows.push({
  layer: 'dense 64×64, batch 8',
  entries: entries64,
  mode: 'bare forward calls',
  forwardCalls: exhaustive64.forwardCalls,
  wallSeconds: bestBare,
  verdict: '—',
  note: `same count, same input; fastest of ${listed(wallOf(bareRuns))} s; CPU ${listed(cpuOf(bareRuns))} s`,
});

// The same check once more with every forward call timed from inside: what is left is the check's
// own work, measured call by call in one run, so other processes disturb it far less than the ratio.
log('dense 64×64: exhaustive check with forward calls timed inside it');
let insideForwardSeconds = 0;
let forwardStarted = 0;
const hookedExhaustive = timed(() =>
  withForwardHook(
    dense64,
    {
      before: () => (forwardStarted = performance.now()),
      after: () => (insideForwardSeconds += (performance.now() - forwardStarted) / 1000),
    },
    (layer) => checkGradients(layer, { mode: 'exhaustive' }),
  ),
);
const ownSeconds = hookedExhaustive.seconds - insideForwardSeconds;
const ownMicrosecondsPerCall = (1e6 * ownSeconds) / hookedExhaustive.value.forwardCalls;

// ── 2. conv2d 8×3×3×3 on 16×16 and a two-layer MLP of ~50k parameters ────────────────────────────
const conv = new LargeConv2d({ channelsIn: 3, channelsOut: 8, kernelSize: 3, height: 16, width: 16, batch: 2 });
runCheck('conv2d 8×3×3×3 on 2×3×16×16', conv);
runCheck('conv2d 8×3×3×3 on 2×3×16×16', conv, { mode: 'exhaustive' });
const mlp = new LargeMlp({ inSize: 256, hidden: 192, outSize: 10, batch: 4 });
const mlpReport = runCheck(`MLP 256→192→10 (${count(mlp.size)} params), batch 4`, mlp);
const mlpSeconds = rows[rows.length - 1].wallSeconds;

// ── 3. ~100k parameters: the default mode against the seed algorithm ────────────────────────────
const dense100k = new LargeDense({ inSize: 316, outSize: 316, batch: 1 });
const name100k = `dense 316×316 (${count(dense100k.size)} params)`;
log(`${name100k}: default mode ×${REPEATS}`);
const default100k = fastest(REPEATS, () => checkGradients(dense100k));
addCheckRow(name100k, undefined, default100k.value, default100k.seconds, `fastest of ${default100k.all.map(seconds).join(' / ')} s`);
const entries100k = checkedEntries(default100k.value);

log(`${name100k}: naive seed algorithm on ${NAIVE_SAMPLE} seeded entries ×2`);
let naiveInput = dense100k.sampleInput() as Float64Array;
const mutable100k = dense100k as unknown as { W: Storage; b: Storage };
// The layer computes with whatever its W and b fields hold: installing a copy is one assignment.
const naiveTensors: CopyableTensor[] = [
  {
    name: 'W',
    get values() {
      return dense100k.W as Float64Array;
    },
    install: (values) => (mutable100k.W = values),
  },
  {
    name: 'b',
    get values() {
      return dense100k.b as Float64Array;
    },
    install: (values) => (mutable100k.b = values),
  },
  {
    name: 'input',
    get values() {
      return naiveInput;
    },
    install: (values) => (naiveInput = values),
  },
];
const naiveProjection = (() => {
  const rng = createRng(BENCH_SEED);
  return Float64Array.from({ length: dense100k.outSize * dense100k.batch }, () => rng.normal());
})();
const naiveLoss = (): number => {
  const output = dense100k.forward(naiveInput);
  let loss = 0;
  for (let i = 0; i < output.length; i++) loss += naiveProjection[i] * output[i];
  return loss;
};
const naiveEntries: EntryRef[] = seededIndices(entries100k, NAIVE_SAMPLE, BENCH_SEED + 1).map((flat) => {
  let rest = flat;
  for (const [tensor, { values }] of naiveTensors.entries()) {
    if (rest < values.length) return { tensor, index: rest };
    rest -= values.length;
  }
  throw new RangeError(`entry ${flat} is beyond the layer's ${entries100k} entries`);
});
const naiveSample = fastest(2, () => naiveGradients(naiveTensors, naiveEntries, naiveLoss));
const naiveSeconds = (naiveSample.seconds * entries100k) / NAIVE_SAMPLE;
rows.push({
  layer: name100k,
  entries: entries100k,
  mode: 'naive seed algorithm',
  forwardCalls: 2 * entries100k,
  wallSeconds: naiveSeconds,
  verdict: '—',
  note:
    `EXTRAPOLATED: ${seconds(naiveSample.seconds)} s for ${NAIVE_SAMPLE} seeded random entries (fastest of ` +
    `${naiveSample.all.map(seconds).join(' / ')} s) × ${count(entries100k)}/${NAIVE_SAMPLE}; ε = ${NAIVE_EPSILON}, 2 whole-tensor copies per entry`,
});
const speedupVsSeed = naiveSeconds / default100k.seconds;

const planted100k = new Map([[seededIndices(316 * 316, 1, BENCH_SEED + 2)[0], 1 + 1e-3]]);
const [planted100kIndex] = planted100k.keys();
const dense100kPlanted = new LargeDense({ inSize: 316, outSize: 316, batch: 1, plantedWeightErrors: planted100k });
const planted100kReport = runCheck(`${name100k} + 1 planted`, dense100kPlanted);
const planted100kResult = plantedFound(planted100kReport, planted100k);
rows[rows.length - 1].note += `; W[${planted100kIndex}] ×(1+1e-3) ${planted100kResult.found === 1 ? 'found' : 'MISSED'}, ${planted100kResult.others} other entries blamed`;

// ── 4. Calls per entry of the exhaustive sweep: calibration, float32, a wholly wrong gradient ────
const calibration = new LargeDense({ inSize: 100, outSize: 100, batch: 1 });
const calibrationReport = runCheck(`dense 100×100 (${count(calibration.size)} params)`, calibration, { mode: 'exhaustive' }, 'calibrates the 1M exhaustive estimate');
const callModel = exhaustiveCallModel(calibrationReport);

const dense64f32 = new LargeDense({ inSize: 64, outSize: 64, batch: 8, float32: true });
const float32Report = runCheck('dense 64×64, batch 8, float32', dense64f32, { mode: 'exhaustive' });
const float32CallsPerEntry = float32Report.forwardCalls / checkedEntries(float32Report);
const dense64Wrong = new LargeDense({ inSize: 64, outSize: 64, batch: 8, weightGradientFactor: 2 });
const wrongReport = runCheck('dense 64×64, batch 8, dW ×2', dense64Wrong, { mode: 'exhaustive' }, 'every weight-gradient entry wrong');
const wrongCallsPerEntry = wrongReport.forwardCalls / checkedEntries(wrongReport);

// ── 5. A million parameters with 3 planted wrong entries ───────────────────────────────────────
const millionWeights = 1000 * 1000;
const plantedFactors = [2, -1, 1 + 1e-3];
const planted1M = new Map(seededIndices(millionWeights, plantedFactors.length, BENCH_SEED + 3).map((index, k) => [index, plantedFactors[k]]));
log('dense 1000×1000: building');
const dense1M = new LargeDense({ inSize: 1000, outSize: 1000, batch: 1, plantedWeightErrors: planted1M });
const name1M = `dense 1000×1000 (${count(dense1M.size)} params) + 3 planted`;
const plantedText = [...planted1M].map(([index, factor]) => `W[${index}]×${factor}`).join(', ');
// Mode 'projection' uses the fixed target blocks; the default mode plans its blocks within its
// budget of calls. Both run side by side.
const projectionRuns = [
  { options: { mode: 'projection' } as GradientCheckOptions, note: 'fixed blocks' },
  { options: undefined, note: '' },
].map(({ options, note }) => {
  const report = runCheck(name1M, dense1M, options, note);
  const found = plantedFound(report, planted1M);
  const skipped = report.tensors.reduce((n, tensor) => n + tensor.coverage.skipped, 0);
  rows[rows.length - 1].note += `; ${found.found}/3 found, ${found.others} others blamed${skipped > 0 ? `, ${count(skipped)} entries not reached (budget)` : ''}`;
  return { report, found, skipped };
});
rows[rows.length - 2].note += `; planted ${plantedText}`;
/** The closing line's projection: the default mode, which plans its blocks from the budget (see the report). */
const headline = projectionRuns[1];
const projectionReport = headline.report;
const projectionResult = headline.found;
const entries1M = checkedEntries(projectionReport);
const exhaustive1MCalls = callModel.predict(entries1M);
const forward1M = dense1M.sampleInput();
const secondsPerForward1M = fastest(2, () => {
  for (let k = 0; k < 20; k++) dense1M.forward(forward1M);
}).seconds / 20;
rows.push({
  layer: name1M,
  entries: entries1M,
  mode: 'exhaustive (computed)',
  forwardCalls: exhaustive1MCalls,
  wallSeconds: exhaustive1MCalls * secondsPerForward1M,
  verdict: '—',
  note:
    `NOT RUN: ${callModel.fixedCalls} fixed + ${callModel.callsPerEntry.toFixed(3)} calls/entry measured on dense 100×100 exhaustive; ` +
    `time = calls × ${(secondsPerForward1M * 1000).toFixed(2)} ms per bare forward`,
});
const projectionShare = projectionReport.forwardCalls / exhaustive1MCalls;

// ── 6. Peak extra memory of an exhaustive check, on two sizes (fixed part and per entry) ──────
const memoryRuns = [
  { name: 'dense 64×64, batch 8', layer: new LargeDense({ inSize: 64, outSize: 64, batch: 8 }) },
  { name: 'dense 100×100', layer: new LargeDense({ inSize: 100, outSize: 100, batch: 1 }) },
].map(({ name, layer }) => {
  log(`${name}: exhaustive check, sampling live memory`);
  layer.forward(layer.sampleInput());
  const memory = measurePeakMemory(layer, MEMORY_SAMPLE_EVERY, (metered) => checkGradients(metered, { mode: 'exhaustive' }));
  return { name, memory, entries: checkedEntries(memory.value) };
});

// ── 7. One meaning of pass: 1e7 entries, slow-down invariance, missed pairs, randomness, the guard ──
const tenMillion = tenMillionEntries();
rows.push({
  layer: `embedding 1,000,000 × 10 (${count(tenMillion.entries)} params)`,
  entries: checkedEntries(tenMillion.report),
  mode: modeText(undefined, tenMillion.report),
  forwardCalls: tenMillion.report.forwardCalls,
  wallSeconds: tenMillion.seconds,
  verdict: tenMillion.report.verdict,
  note: `peak extra ${tenMillion.bytesPerEntry.toFixed(1)} B/entry; off-by-one scatter ${tenMillion.scatterFound ? 'found' : 'MISSED'}`,
});
const slowDown = slowDownInvariance();
const pairs = missedPairRates();
const randomness = rareRandomness();
const guard = guardOnRealTime();

// ── Output ─────────────────────────────────────────────────────────────────────────────────────
const cells: Cell[][] = rows.map((row) => [
  row.layer,
  count(row.entries),
  row.mode,
  count(row.forwardCalls),
  perEntry(row.forwardCalls, row.entries),
  seconds(row.wallSeconds),
  row.verdict,
  row.note,
]);
console.log(
  formatTable(
    [
      { title: 'layer', align: 'left' },
      { title: 'entries', align: 'right' },
      { title: 'mode', align: 'left' },
      { title: 'forward calls', align: 'right' },
      { title: 'calls/entry', align: 'right' },
      { title: 'wall s', align: 'right' },
      { title: 'verdict', align: 'left' },
      { title: 'note', align: 'left' },
    ],
    cells,
  ),
);
console.log('');
console.log(
  'entries = every checked entry: parameters and the input. Wall times are single runs unless a note says "fastest of". ' +
    `Load average ${loadavg()[0].toFixed(2)} at the end (other processes stretch wall times; CPU times much less).`,
);
console.log('');

const goalStatus = (met: boolean): string => (met ? 'met' : 'MISSED');
const goalLines = [
  [
    `overhead ${overhead.toFixed(3)}x = exhaustive check ${seconds(bestExhaustive)} s / ${count(exhaustive64.forwardCalls)} bare forward calls ${seconds(bestBare)} s ` +
      `(dense 64×64, batch 8, fastest of ${OVERHEAD_ROUNDS} alternating rounds each; in CPU time ${overheadCpu.toFixed(3)}x). ` +
      `Timed from inside one more check: forward ${seconds(insideForwardSeconds)} s of ${seconds(hookedExhaustive.seconds)} s, the check's own work ` +
      `${seconds(ownSeconds)} s = ${ownMicrosecondsPerCall.toFixed(1)} µs per forward call → ${(hookedExhaustive.seconds / insideForwardSeconds).toFixed(3)}x`,
    `goal ≤ ${GOALS.overhead.toFixed(2)}`,
    goalStatus(overhead <= GOALS.overhead),
  ],
  [
    `vs seed algorithm ${speedupVsSeed.toFixed(0)}x = naive ${seconds(naiveSeconds)} s (extrapolated from ${NAIVE_SAMPLE} entries) / default mode ${seconds(default100k.seconds)} s (${default100k.value.mode.kind}) at ${count(entries100k)} entries; ` +
      `default mode on the planted copy: ${planted100kReport.verdict}, ${planted100kResult.found}/1 found`,
    `goal ≥ ${GOALS.speedupVsSeed}`,
    goalStatus(speedupVsSeed >= GOALS.speedupVsSeed && planted100kResult.found === 1),
  ],
  [
    `projection (default mode → ${projectionReport.mode.kind}) ${projectionResult.found}/3 found by exact index with ${count(projectionReport.forwardCalls)} of ≈ ${count(exhaustive1MCalls)} exhaustive calls (${percent(projectionShare)}); ` +
      projectionRuns.slice(0, 1).map(({ report, found }) => `mode 'projection': ${found.found}/3 with ${count(report.forwardCalls)} calls (${percent(report.forwardCalls / exhaustive1MCalls)})`).join('; '),
    `goal 3/3, ≤ ${percent(GOALS.projectionShare)}`,
    goalStatus(projectionResult.found === 3 && projectionResult.others === 0 && projectionShare <= GOALS.projectionShare),
  ],
  [`MLP default-mode wall time ${seconds(mlpSeconds)} s (${mlpReport.mode.kind}, ${mlpReport.verdict})`, `goal ≤ ${GOALS.mlpSeconds} s`, goalStatus(mlpSeconds <= GOALS.mlpSeconds)],
  [
    `float32 exhaustive: ${float32CallsPerEntry.toFixed(2)} forward calls per entry (${float32Report.verdict})`,
    `goal ≤ ${GOALS.float32CallsPerEntry}`,
    goalStatus(float32CallsPerEntry <= GOALS.float32CallsPerEntry),
  ],
  [
    `whole weight gradient wrong (×2): ${wrongCallsPerEntry.toFixed(2)} forward calls per entry (${wrongReport.verdict}, ${count(wrongReport.tensors[0].failures.length)} failures)`,
    `goal ≤ ${GOALS.wrongLayerCallsPerEntry}`,
    goalStatus(wrongCallsPerEntry <= GOALS.wrongLayerCallsPerEntry),
  ],
  [
    `peak extra memory of an exhaustive check: ${memoryRuns
      .map(
        ({ name, memory, entries }) =>
          `${name}: ${count(memory.peakExtraBytes)} B / ${count(entries)} entries = ${(memory.peakExtraBytes / entries).toFixed(0)} B per checked entry, ` +
          `of which typed arrays ${(memory.peakExtraTypedArrayBytes / entries).toFixed(0)} B/entry; the report alone keeps ${(memory.resultBytes / entries).toFixed(0)} B/entry`,
      )
      .join('; ')}`,
    'no goal',
    '',
  ],
];
goalLines.push(
  [
    `1e7 entries (embedding, default options): ${seconds(tenMillion.seconds)} s, ${count(tenMillion.report.evaluations)} calls, ${tenMillion.report.verdict}, ` +
      `peak extra memory ${tenMillion.bytesPerEntry.toFixed(1)} B per entry; an off-by-one scatter ${tenMillion.scatterFound ? 'found by entry' : 'MISSED'}`,
    `goal ≤ ${GUARANTEE_GOALS.bytesPerEntry} B/entry, within the default budget`,
    goalStatus(
      tenMillion.bytesPerEntry <= GUARANTEE_GOALS.bytesPerEntry &&
        tenMillion.report.verdict === 'pass' &&
        tenMillion.seconds <= GUARANTEE_GOALS.seconds1e7 &&
        tenMillion.scatterFound,
    ),
  ],
  [
    `slow-down: the same report at 1×, 10×, 100× forward cost: ${slowDown.identical ? 'identical' : 'DIFFERENT'} (${slowDown.kind}, ${slowDown.verdict}; ${slowDown.seconds.map(seconds).join(' / ')} s)`,
    'goal identical',
    goalStatus(slowDown.identical),
  ],
  [
    `missed pairs (two exactly cancelling errors in one block of 32, the worst case): ${percent(pairs.atFive)} at 5× the floor, ${percent(pairs.atTen)} at 10×, over ${count(pairs.seeds)} seeds`,
    `goal ≤ ${percent(GUARANTEE_GOALS.missedPairs)} at 5×`,
    goalStatus(pairs.atFive <= GUARANTEE_GOALS.missedPairs),
  ],
  [
    `a forward random on 1 % of its calls: impossible in ${percent(randomness.caught)} of ${count(randomness.runs)} seeded runs`,
    `goal ≥ ${percent(GUARANTEE_GOALS.randomCaught)}`,
    goalStatus(randomness.caught >= GUARANTEE_GOALS.randomCaught),
  ],
  [
    `guard: a 25 ms layer with maxSeconds ${guard.maxSeconds} stopped (${guard.reason ?? 'not stopped'}) after ${seconds(guard.seconds)} s`,
    `goal ≤ ${GUARANTEE_GOALS.guardOvershoot}× maxSeconds`,
    goalStatus(guard.seconds <= GUARANTEE_GOALS.guardOvershoot * guard.maxSeconds),
  ],
);
log('checks across shapes: planted shape-dependent bugs found and shrunk');
const across = acrossRows(REPEATS);
for (const row of across) {
  goalLines.push([
    `across ${row.name} (${row.space} configurations): found and shrunk to ${row.shrunkTo}${row.minimal ? ' (minimal)' : ''} in ${seconds(row.findSeconds)} s, ` +
      `${row.findConfigs} checks, ${count(row.findCalls)} calls; the correct layer passes all ${row.passConfigs} in ${seconds(row.passSeconds)} s, ${count(row.passCalls)} calls`,
    'goal the smallest failing configuration',
    goalStatus(row.found && row.minimal),
  ]);
}
for (const [what, goal, met] of goalLines) console.log(`${what}  [${goal}${met === '' ? '' : `: ${met}`}]`);
console.log('');
console.log(
  `memory method: live bytes (process.memoryUsage() heapUsed + arrayBuffers after two forced GCs, --expose-gc) sampled at every ` +
    `${MEMORY_SAMPLE_EVERY}th forward call of the check (${memoryRuns.map((run) => run.memory.samples).join(' and ')} samples) and after it with the report held, ` +
    'minus the same before the check (layer built and run once); garbage awaiting collection is not counted. The typed-array part ' +
    'holds the per-entry arrays and repeats to the byte; the heap part is mostly fixed (compiled code, closures) and varies run to run.',
);
console.log('');
console.log(
  `overhead ${overhead.toFixed(2)}x, vs seed algorithm ${speedupVsSeed.toFixed(0)}x at 100k, ` +
    `projection ${projectionResult.found}/3 found with ${percent(projectionShare)} of exhaustive calls, ` +
    `1e7 entries ${seconds(tenMillion.seconds)} s at ${tenMillion.bytesPerEntry.toFixed(0)} B/entry, ` +
    `slow-down ${slowDown.identical ? 'invariant' : 'NOT invariant'} at 10× and 100×, ` +
    `missed pairs ${percent(pairs.atFive)} at 5× the floor, 1 % randomness caught in ${percent(randomness.caught)}, ` +
    `guard ${seconds(guard.seconds)} s for maxSeconds ${guard.maxSeconds}, ` +
    `shape bugs ${across.filter((row) => row.found && row.minimal).length}/${across.length} shrunk to the smallest in ${across.map((row) => seconds(row.findSeconds)).join(' / ')} s`,
);
