/**
 * npm run corpus — the detection-power corpus: one line per case (layer, dtype, expected, verdict,
 * worst normalized error, error estimate) and the totals. Exits 1 on a missed bug or a false alarm.
 */
import { runEntry, summarize } from '../test/corpus/run-corpus.js';
import { zoo } from '../test/zoo/index.js';

const sci = (value: number): string => value.toExponential(2).padStart(9);
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
console.log(`worst normalized error of a correct float64 case: ${summary.worstCorrectFloat64.toExponential(2)} (${summary.worstCorrectFloat64Case})`);
console.log(
  `mildest detected bug (worst normalized error): float64 ${summary.mildestDetected.float64.toExponential(2)}, float32 ${summary.mildestDetected.float32.toExponential(2)}`,
);
console.log(`detected ${summary.detected}/${summary.bugs} bugs, false alarms ${summary.falseAlarms}/${summary.correctCases} correct cases`);
process.exitCode = summary.detected === summary.bugs && summary.falseAlarms === 0 ? 0 : 1;
