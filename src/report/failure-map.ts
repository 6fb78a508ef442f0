import type { TensorReport } from '../check/report-types.js';

/** A map wider or taller than this is drawn per block of entries, so it stays readable in a terminal. */
const MAX_MAP_COLUMNS = 48;
const MAX_MAP_ROWS = 16;

const WRONG = '×';
const UNRESOLVED = '?';
const AGREES = '·';

/**
 * Which entries of a 2-D tensor fail, one character per entry (or per block for large tensors):
 * a wrong row, column, diagonal or transposed pattern is visible at a glance. Null for tensors
 * that are not 2-D, or have no failing entry, or have nothing but.
 */
export function failureMap(tensor: TensorReport): string[] | null {
  // Every entry wrong has no pattern to show; the tensor's line already says "N of N wrong".
  if (tensor.ragged || tensor.shape.length !== 2 || tensor.failures.length === 0 || tensor.failures.length === tensor.size) return null;
  const [rows, cols] = tensor.shape;
  const blockRows = Math.ceil(rows / MAX_MAP_ROWS);
  const blockCols = Math.ceil(cols / MAX_MAP_COLUMNS);
  const mapRows = Math.ceil(rows / blockRows);
  const mapCols = Math.ceil(cols / blockCols);
  // 0 agrees (or was not singled out), 1 unresolved, 2 wrong: a block shows its worst entry.
  const cells = new Uint8Array(mapRows * mapCols);
  const mark = (index: number, level: number): void => {
    const cell = Math.floor(Math.floor(index / cols) / blockRows) * mapCols + Math.floor((index % cols) / blockCols);
    if (cells[cell] < level) cells[cell] = level;
  };
  for (const entry of tensor.inconclusive) mark(entry.index, 1);
  for (const failure of tensor.failures) mark(failure.index, 2);

  const blocked = blockRows > 1 || blockCols > 1;
  const unit = blocked ? `one character per ${blockRows}×${blockCols} block` : 'one character per entry';
  const measuredAll = tensor.coverage.measured >= tensor.size;
  const legend = `${WRONG} wrong${tensor.inconclusive.length > 0 ? `, ${UNRESOLVED} unresolved` : ''}, ${AGREES} ${measuredAll ? 'agrees' : 'no disagreement found'}`;
  const lines = [`${tensor.name} [${rows}×${cols}], ${unit} (${legend}):`];
  const labelWidth = String((mapRows - 1) * blockRows).length;
  const symbols = [AGREES, UNRESOLVED, WRONG];
  for (let r = 0; r < mapRows; r++) {
    let line = '';
    for (let c = 0; c < mapCols; c++) line += symbols[cells[r * mapCols + c]];
    lines.push(`  ${String(r * blockRows).padStart(labelWidth)} ${line}`);
  }
  return lines;
}
