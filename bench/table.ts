/** A plain-text table with aligned columns: numbers right-aligned, text left-aligned. */

export type Cell = string | number;

export interface Column {
  title: string;
  align: 'left' | 'right';
}

export function formatTable(columns: readonly Column[], rows: readonly Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = columns.map((column, c) => Math.max(column.title.length, ...text.map((row) => row[c]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (columns[c].align === 'right' ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** 1234567 → "1,234,567". */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Seconds with three significant digits (at least millisecond resolution). */
export const seconds = (s: number): string => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(s >= 1 ? 2 : 3));

/** A share as a percentage with two significant digits: 0.000183 → "0.018%". */
export const percent = (share: number): string => `${Number((100 * share).toPrecision(2))}%`;
