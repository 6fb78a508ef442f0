/**
 * Correct layers whose inputs hold ties, where a valid backward routes each primitive's gradient
 * to one tied entry (or splits it) and the result can lie outside one entry's one-sided slopes:
 *
 * - overlapping max pooling (kernel 3, stride 2, as in ResNet stems) on a constant input, where
 *   every window's maximum is tied and every entry sits in up to four windows whose upstream
 *   gradients have mixed signs;
 * - row-wise sort, median and top-k of rows with 3-way ties, with the index-scatter backward ML
 *   libraries use (dx[row][index[j]] += g[row][j], indices from a stable argsort).
 *
 * Their bug: routing a primitive's gradient to every tied entry (k times it in all), in one window
 * or one row, wherever that is in the tensor.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import { flatten, pack, variants, type BugSpec } from '../advanced/util.js';
import type { Dtype, ZooEntry } from '../types.js';

/** Valid ways to route a primitive's gradient among tied entries. */
export type TieRouting = 'first' | 'split';

export interface TieOptions {
  routing?: TieRouting;
  /** Route the gradient to every tied entry, in this window (max pool) or row (sort, median, top-k); -1 for none. */
  everyTieAt?: number;
}

const EVERY_TIE: BugSpec = {
  name: 'grad-to-every-tied-entry',
  description: 'One primitive (a pooling window, a row) sends its whole gradient to every tied entry: k times the gradient in all.',
  wrongTensors: ['input'],
};

/** Spreads `g` over the tied entries `at` by routing, or to all of them (the bug). */
function route(dx: Float64Array, g: number, at: number[], routing: TieRouting, every: boolean): void {
  if (every) for (const i of at) dx[i] += g;
  else if (routing === 'split') for (const i of at) dx[i] += g / at.length;
  else dx[at[0]] += g;
}

/** Max pooling with 3×3 windows at stride 2 over [1][7][7] → [1][3][3]: windows overlap by one row and one column. */
export class OverlappingMaxPool implements Layer {
  private x: Float64Array = new Float64Array(0);
  constructor(
    private readonly dtype: Dtype,
    private readonly inputValues: number[],
    private readonly options: TieOptions = {},
  ) {}

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [1, 7, 7]);
  }

  /** Flat input indices of window `o` (row-major), and the tied maxima among them. */
  private window(o: number): { entries: number[]; maxima: number[] } {
    const [oh, ow] = [Math.floor(o / 3), o % 3];
    const entries: number[] = [];
    for (let dh = 0; dh < 3; dh++) for (let dw = 0; dw < 3; dw++) entries.push((2 * oh + dh) * 7 + 2 * ow + dw);
    const best = Math.max(...entries.map((i) => this.x[i]));
    return { entries, maxima: entries.filter((i) => this.x[i] === best) };
  }

  forward(input: unknown): unknown {
    this.x = flatten(input);
    const y = Array.from({ length: 9 }, (_, o) => Math.max(...this.window(o).entries.map((i) => this.x[i])));
    return pack('nested', this.dtype, y, [1, 3, 3]);
  }

  backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const dx = new Float64Array(49);
    for (let o = 0; o < 9; o++) route(dx, g[o], this.window(o).maxima, this.options.routing ?? 'first', this.options.everyTieAt === o);
    return pack('nested', this.dtype, dx, [1, 7, 7]);
  }
}

/** Row-wise selections over [rows][length]: each output entry picks one input entry of its row. */
export type RowSelection = 'sort' | 'median' | 'top-k';

export class RowSelect implements Layer {
  private x: Float64Array = new Float64Array(0);
  private picked: number[][] = [];
  constructor(
    private readonly dtype: Dtype,
    private readonly selection: RowSelection,
    private readonly rows: number[][],
    private readonly options: TieOptions = {},
  ) {}

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.rows.flat(), [this.rows.length, this.rows[0].length]);
  }

  /** The stable argsort of row `r` (ascending; ties keep their order, as every library's sort does). */
  private argsort(r: number): number[] {
    const length = this.rows[0].length;
    const order = Array.from({ length }, (_, j) => r * length + j);
    return order.sort((a, b) => this.x[a] - this.x[b] || a - b);
  }

  /** The output's picks of row `r`: all of it (sort), its middle (median), its 3 largest (top-k). */
  private pick(r: number): number[] {
    const sorted = this.argsort(r);
    if (this.selection === 'sort') return sorted;
    if (this.selection === 'median') return [sorted[(sorted.length - 1) >> 1]];
    return sorted.slice(-3);
  }

  forward(input: unknown): unknown {
    this.x = flatten(input);
    this.picked = this.rows.map((_, r) => this.pick(r));
    const y = this.picked.flat().map((i) => this.x[i]);
    return pack('nested', this.dtype, y, [this.rows.length, this.picked[0].length]);
  }

  backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const dx = new Float64Array(this.x.length);
    const width = this.picked[0].length;
    this.picked.forEach((row, r) =>
      row.forEach((i, j) => {
        // The index scatter: the gradient of output j goes to the entry it picked; with the bug, to every entry equal to it.
        const tied = this.options.everyTieAt === r ? row.concat(this.argsort(r)).filter((k, n, all) => this.x[k] === this.x[i] && all.indexOf(k) === n) : [i];
        route(dx, g[r * width + j], tied, 'first', this.options.everyTieAt === r);
      }),
    );
    return pack('nested', this.dtype, dx, [this.rows.length, this.rows[0].length]);
  }
}

/** A constant input: every window of the overlapping pool is one big tie. Exact in float32. */
export const CONSTANT_IMAGE = Array.from({ length: 49 }, () => 0.5);

/** Rows with 3-way ties: in the middle (the median's pick), at the top (top-k's boundary) and at the bottom. Exact in float32. */
export const TIED_ROWS = [
  [0.25, 0.75, 0.25, 1.5, 0.75, 0.75, -0.5],
  [1.25, 1.25, -0.25, 1.25, 0.5, 0.0, 2.0],
  [-1.0, 0.375, -1.0, 0.375, 0.375, -1.0, 0.125],
];

export const tieZoo: ZooEntry[] = [
  {
    name: 'overlapping-max-pool-constant',
    nasty: true,
    make: (dtype) => new OverlappingMaxPool(dtype, CONSTANT_IMAGE),
    bugs: variants((dtype) => new OverlappingMaxPool(dtype, CONSTANT_IMAGE, { everyTieAt: 4 }), [EVERY_TIE]),
  },
  ...(['sort', 'median', 'top-k'] as const).map(
    (selection): ZooEntry => ({
      name: `row-${selection}-ties`,
      nasty: true,
      make: (dtype) => new RowSelect(dtype, selection, TIED_ROWS),
      bugs: variants((dtype) => new RowSelect(dtype, selection, TIED_ROWS, { everyTieAt: 1 }), [EVERY_TIE]),
    }),
  ),
];
