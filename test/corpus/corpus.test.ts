import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zoo } from '../zoo/index.js';
import { fencedBlocks } from '../docs/markdown-blocks.js';
import { runEntry, summarize, summaryLines, type CorpusRow } from './run-corpus.js';

const rowsByEntry = new Map<string, CorpusRow[]>();
const rowsOf = (name: string): CorpusRow[] => {
  if (!rowsByEntry.has(name)) rowsByEntry.set(name, runEntry(zoo.find((e) => e.name === name)!));
  return rowsByEntry.get(name)!;
};

const describeRow = (row: CorpusRow): string =>
  `${row.layer}/${row.variant}/${row.dtype}: verdict ${row.verdict}, blamed [${row.blamed}] want [${row.wrongTensors}], ` +
  `missed [${row.missedEntries.slice(0, 5)}], innocent [${row.innocentEntries.slice(0, 5)}], diagnoses [${row.diagnoses}], counts [${row.countErrors}], layers ${JSON.stringify(row.wrongLayers)}`;

describe('detection-power corpus, default options', () => {
  it.each(zoo.map((e) => e.name))('%s: correct passes in float64 and float32; every bug fails at its entries', (name) => {
    const rows = rowsOf(name);
    const wrong = rows.filter((r) => !r.ok).map(describeRow);
    expect(wrong).toEqual([]);
    expect(rows.filter((r) => r.expected === 'pass').map((r) => r.dtype)).toEqual(zoo.find((e) => e.name === name)!.dtypes ?? ['float64', 'float32']);
  });

  it('covers at least 15 ordinary layer types, the nasty cases and 60 bugs, with no false alarm', () => {
    const rows = zoo.flatMap((e) => rowsOf(e.name));
    const summary = summarize(rows);
    expect(zoo.filter((e) => e.nasty !== true).length).toBeGreaterThanOrEqual(15);
    expect(new Set(zoo.flatMap((e) => e.bugs.map((b) => `${e.name}/${b.name}`))).size).toBeGreaterThanOrEqual(60);
    expect(summary.falseAlarms).toBe(0);
    // A diagnosis needs evidence on every failing entry: a correct layer, in either dtype, never gets one.
    expect(rows.filter((r) => r.expected === 'pass' && r.diagnoses.length > 0).map(describeRow)).toEqual([]);
    expect(summary.detected).toBe(summary.bugs);
    // Correct float64 layers sit below the 1e-7 "correct" band; the worst is the loss of 1e6,
    // whose rounding (1e6·u ≈ 1e-10 per sample) limits any finite difference at these steps.
    expect(summary.worstCorrectFloat64).toBeLessThan(5e-8);
    const ordinary = zoo.filter((e) => e.nasty !== true).flatMap((e) => rowsOf(e.name));
    expect(Math.max(...ordinary.filter((r) => r.expected === 'pass' && r.dtype === 'float64').map((r) => r.worstError))).toBeLessThan(1e-9);
    // docs/corpus.md quotes the closing lines of `npm run corpus`: they are these, computed now.
    const docs = fencedBlocks('docs/corpus.md', readFileSync(new URL('../../docs/corpus.md', import.meta.url), 'utf8'));
    const quoted = docs.filter((block) => block.kind === 'output' && block.argument === 'npm run corpus');
    expect(quoted.map((block) => block.content)).toEqual([summaryLines(summary).join('\n')]);
  });
});
