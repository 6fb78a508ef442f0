/**
 * Ties are judged as whole groups: moving every tied entry together keeps the ties, so any valid
 * routing of a primitive's gradient among them (the first maximum, the last, a split) sums to the
 * group's derivative, and routing it to every tied entry gives k times it. Correct tie layers pass
 * (overlapping pools on a constant input, sort, median and top-k with 3-way ties), the bug fails
 * wherever it sits in the tensor, and no budget of pairs runs out on a tensor full of kinks.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import type { GradientReport } from '../../../src/check/report-types.js';
import { formatReport } from '../../../src/report/format-report.js';
import { checkKeepingState } from '../../helpers/check-keeping-state.js';
import { MaxPool2d, type TieRouting } from '../../zoo/advanced/max-pool.js';
import { zooEntry } from '../../zoo/index.js';
import { CONSTANT_IMAGE, OverlappingMaxPool, RowSelect, TIED_ROWS } from '../../zoo/nasty/ties.js';

// Windows: (0,0) tie of two on the diagonal, (0,1) four equal values, (1,0) tie of two in a column, (1,1) no tie.
const TIED_INPUT = [0.75, -0.25, 0.5, 0.5, 0.125, 0.75, 0.5, 0.5, 1.25, -0.5, 0.25, 1.5, 1.25, 0.375, -1, 0.625];
const pool = (options: { routing?: TieRouting; bug?: string }, dtype: 'float64' | 'float32' = 'float64'): MaxPool2d =>
  new MaxPool2d(dtype, { channels: 1, inputValues: TIED_INPUT, ...options });
const DTYPES = ['float64', 'float32'] as const;
const groupValues = (report: GradientReport): number[] => report.tensors[0].jointFailures.map((group) => group.value).sort((a, b) => a - b);

describe('tied groups of a 2×2 max pool', () => {
  it.each(DTYPES)('routing to every tied maximum fails, naming each tied group, and no entry alone (%s)', (dtype) => {
    const report = checkKeepingState(pool({ bug: 'grad-to-every-tied-maximum' }, dtype));
    expect(report.verdict).toBe('fail');
    expect(report.tensors[0].failures).toEqual([]);
    // The diagonal tie at 0.75, the four-way tie at 0.5, the column tie at 1.25; never the untied window.
    expect(groupValues(report)).toEqual([0.5, 0.75, 1.25]);
    for (const group of report.tensors[0].jointFailures) {
      expect(group.analytic).toBeCloseTo(group.entries.reduce((sum, entry) => sum + entry.analytic, 0), 12);
      expect(Math.abs(group.analytic - group.lower)).toBeGreaterThan(group.allowed);
    }
    expect(formatReport(report)).toContain('Tied entries wrong together');
    expect(() => expect(pool({ bug: 'grad-to-every-tied-maximum' }, dtype)).toHaveCorrectGradients()).toThrow(/together/);
  });

  it.each<[TieRouting]>([['first'], ['last'], ['split']])('routing to the %s maximum (a valid subgradient) passes', (routing) => {
    for (const dtype of DTYPES) expect(checkKeepingState(pool({ routing }, dtype)).verdict).toBe('pass');
  });

  it('ReLU at exact zeros and |x| at 0 pass: their zeros group, and valid subgradients sum to a valid group value', () => {
    for (const name of ['relu-at-kinks', 'dense-relu-at-kinks', 'abs-at-zero']) {
      for (const dtype of DTYPES) expect(checkGradients(zooEntry(name).make(dtype)).verdict).toBe('pass');
    }
  });
});

describe('ties shared by primitives whose gradients have mixed signs', () => {
  it.each(DTYPES)('overlapping max pooling (kernel 3, stride 2) on a constant input passes with first and split routing (%s)', (dtype) => {
    for (const routing of ['first', 'split'] as const) {
      const report = checkKeepingState(new OverlappingMaxPool(dtype, CONSTANT_IMAGE, { routing }));
      expect(report.verdict).toBe('pass');
      expect(report.tensors[0].tiedGroups).toHaveLength(1);
      expect(report.tensors[0].tiedGroups[0]).toMatchObject({ value: 0.5, size: 49 });
    }
    const text = formatReport(checkGradients(new OverlappingMaxPool(dtype, CONSTANT_IMAGE)));
    expect(text).toMatch(/49 tied entries \(49 of input at 0\.5\) were judged together/);
    // Entries that fail alone inside a passing group are counted, with the verb agreeing.
    const [, count, verb] = /; (\d+) of them (fails|fail) alone/.exec(text) ?? [];
    expect(verb).toBe(count === '1' ? 'fails' : 'fail');
  });

  it.each(DTYPES)('a gradient routed to every tied maximum fails in any one of the nine windows (%s)', (dtype) => {
    for (let window = 0; window < 9; window++) {
      const report = checkKeepingState(new OverlappingMaxPool(dtype, CONSTANT_IMAGE, { everyTieAt: window }));
      expect(report.verdict).toBe('fail');
      expect(report.tensors[0].jointFailures.map((group) => group.size)).toEqual([49]);
    }
  });

  it.each(['sort', 'median', 'top-k'] as const)('row-wise %s with 3-way ties passes, and the every-tie scatter fails in any row', (selection) => {
    for (const dtype of DTYPES) {
      expect(checkKeepingState(new RowSelect(dtype, selection, TIED_ROWS)).verdict).toBe('pass');
      for (let row = 0; row < TIED_ROWS.length; row++) {
        const buggy = checkKeepingState(new RowSelect(dtype, selection, TIED_ROWS, { everyTieAt: row }));
        // A row whose picks hold no tie (the median of a row without a middle tie) routes like the correct one.
        const picksTie = selection !== 'median' || row !== 2;
        expect(buggy.verdict).toBe(picksTie ? 'fail' : 'pass');
      }
    }
  });
});

describe('no budget of pairs', () => {
  it('a route-to-every-tie bug after 1,000 uncoupled ReLU kinks in the same tensor still fails', () => {
    const zeros = 1000;
    const x = Float64Array.from({ length: zeros + 2 }, (_, i) => (i < zeros ? 0 : 0.75));
    const r = Float64Array.from({ length: zeros }, (_, i) => ((i * 7) % 4) - 1.5);
    const layer = {
      params: { x },
      grads: { x: new Float64Array(zeros + 2) },
      // Σ r·relu(x) over the zeros, plus the max of the last two entries (tied at 0.75).
      forward: () => x.subarray(0, zeros).reduce((sum, v, i) => sum + r[i] * Math.max(0, v), 0) + Math.max(x[zeros], x[zeros + 1]),
      backward(upstream: number) {
        layer.grads.x.fill(0);
        for (let i = 0; i < zeros; i++) layer.grads.x[i] = x[i] > 0 ? upstream * r[i] : 0;
        // The bug: the max's gradient goes to both tied entries.
        layer.grads.x[zeros] = upstream;
        layer.grads.x[zeros + 1] = upstream;
        return undefined;
      },
    };
    const report = checkKeepingState(layer, { mode: 'exhaustive' });
    expect(report.tensors[0].kinks.length).toBeGreaterThanOrEqual(zeros);
    expect(report.verdict).toBe('fail');
    expect(report.tensors[0].jointFailures.map((group) => [group.value, group.size])).toEqual([[0.75, 2]]);
  });
});

describe('ties seen only jointly, and equal values that are no tie', () => {
  it('a top-k tie whose slopes alone differ by less than float32 noise passes: the failing entry is coupled to its tied partner', () => {
    // Seed 29 gives the first output position of the row's tie a weight of 0.004: the entry's own
    // kink is below float32 noise, and its valid routing (position 2's weight) looks like a mismatch.
    const report = checkKeepingState(new RowSelect('float32', 'top-k', TIED_ROWS), { seed: 29 });
    expect(report.verdict).toBe('pass');
    expect(report.tensors[0].tiedGroups.map((group) => group.value)).toContain(0.75);
  });

  it('biases that are all 0 with two entries\' gradients swapped fail at both: equal values that move additively are no tie', () => {
    const b = new Float64Array(6);
    const x = [0.5, -1.25, 2, 0.75, -0.5, 1.5];
    const layer = {
      params: { b },
      grads: { b: new Float64Array(6) },
      forward: () => Float64Array.from(b, (v, i) => (v + x[i]) * (v + x[i])),
      backward(g: Float64Array) {
        const db = Float64Array.from(g, (v, i) => 2 * v * (b[i] + x[i]));
        [db[1], db[4]] = [db[4], db[1]];
        layer.grads.b.set(db);
        return undefined;
      },
    };
    const report = checkKeepingState(layer);
    expect(report.verdict).toBe('fail');
    expect(report.tensors[0].failures.map((f) => f.index).sort()).toEqual([1, 4]);
    expect(report.tensors[0].tiedGroups).toEqual([]);
  });

  it.each(DTYPES)('a route-to-every-tie bug on an overlapping pool blames its group, never an entry that the correct layer routes the same way (%s)', (dtype) => {
    for (const seed of [1, 29]) {
      const report = checkKeepingState(new OverlappingMaxPool(dtype, CONSTANT_IMAGE, { everyTieAt: 4 }), { seed });
      expect(report.verdict).toBe('fail');
      expect(report.tensors[0].failures).toEqual([]);
      expect(report.tensors[0].jointFailures).toHaveLength(1);
      expect(report.diagnoses.map((d) => d.kind)).toEqual(['tied-routing']);
    }
  });
});

