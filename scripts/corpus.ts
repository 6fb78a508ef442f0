/**
 * npm run corpus — the detection-power corpus: one line per case (layer, dtype, expected, verdict,
 * worst normalized error, error estimate) and the totals. Exits 1 on a missed bug or a false alarm.
 * `npm run corpus -- --seeds 1-30` instead runs the whole corpus once per projection seed and
 * prints one summary line per seed and the totals.
 */
import { runEntry, summarize, summaryLines, type CorpusRow } from '../test/corpus/run-corpus.js';
import { zoo } from '../test/zoo/index.js';

const sci = (value: number): string => value.toExponential(2).padStart(9);

function seedRange(): number[] | null {
  const at = process.argv.indexOf('--seeds');
  if (at < 0) return null;
  const match = /^(\d+)-(\d+)$/.exec(process.argv[at + 1] ?? '');
  if (match === null) throw new Error('--seeds takes a range such as 1-30');
  const [first, last] = [Number(match[1]), Number(match[2])];
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** What went wrong in a case, as a line to act on. */
const describeWrong = (row: CorpusRow): string =>
  `${row.layer}/${row.variant}/${row.dtype}: verdict ${row.verdict}, blamed [${row.blamed}] want [${row.wrongTensors}], ` +
  `missed [${row.missedEntries.slice(0, 5)}], innocent [${row.innocentEntries.slice(0, 5)}], diagnoses [${row.diagnoses}], counts [${row.countErrors}], layers ${JSON.stringify(row.wrongLayers)}`;

const seeds = seedRange();
if (seeds !== null) {
  const all: CorpusRow[] = [];
  for (const seed of seeds) {
    const rows = zoo.flatMap((entry) => runEntry(entry, ['float64', 'float32'], seed));
    const summary = summarize(rows);
    all.push(...rows);
    console.log(`seed ${String(seed).padStart(3)}: detected ${summary.detected}/${summary.bugs} bugs, false alarms ${summary.falseAlarms}/${summary.correctCases}`);
    for (const row of rows.filter((r) => !r.ok)) console.log(`  WRONG ${describeWrong(row)}`);
  }
  const total = summarize(all);
  const verdicts = (expected: 'pass' | 'fail'): string =>
    [...new Set(all.filter((r) => r.expected === expected).map((r) => r.verdict))].sort().join(', ');
  console.log(`all seeds: detected ${total.detected}/${total.bugs} bugs, false alarms ${total.falseAlarms}/${total.correctCases} correct cases`);
  console.log(`verdicts seen: correct cases ${verdicts('pass')}; bugs ${verdicts('fail')}`);
  process.exitCode = total.detected === total.bugs && total.falseAlarms === 0 ? 0 : 1;
  process.exit();
}

const rows = zoo.flatMap((entry) => runEntry(entry));
console.log(
  `${'layer'.padEnd(30)} ${'variant'.padEnd(40)} ${'dtype'.padEnd(8)} ${'expected'.padEnd(8)} ${'verdict'.padEnd(10)} ${'worst err'.padStart(9)} ${'err est'.padStart(9)}  result`,
);
for (const row of rows) {
  const result = row.ok ? 'ok' : `WRONG (blamed ${row.blamed.join(',') || 'nothing'}; bug breaks ${row.wrongTensors.join(',') || 'nothing'})`;
  console.log(
    `${(row.layer + (row.nasty ? ' *' : '')).padEnd(30)} ${row.variant.padEnd(40)} ${row.dtype.padEnd(8)} ${row.expected.padEnd(8)} ${row.verdict.padEnd(10)} ${sci(row.worstError)} ${sci(row.errorEstimate)}  ${result}`,
  );
}
const summary = summarize(rows);
console.log('');
console.log('* nasty-but-correct case (kinks, ties, extreme magnitudes)');
for (const line of summaryLines(summary)) console.log(line);
process.exitCode = summary.detected === summary.bugs && summary.falseAlarms === 0 ? 0 : 1;
