/**
 * Bugs that only show jointly: a max-pool backward that routes the gradient to every tied maximum
 * is valid entry by entry, and wrong together. Every valid subgradient choice still passes.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import { nearbyPairs } from '../../../src/check/joint/coupled-kinks.js';
import type { KinkEntry } from '../../../src/check/report-types.js';
import { MaxPool2d, type TieRouting } from '../../zoo/advanced/max-pool.js';
import { zooEntry } from '../../zoo/index.js';

// Windows: (0,0) tie of two on the diagonal, (0,1) four equal values, (1,0) tie of two in a column, (1,1) no tie.
const TIED_INPUT = [0.75, -0.25, 0.5, 0.5, 0.125, 0.75, 0.5, 0.5, 1.25, -0.5, 0.25, 1.5, 1.25, 0.375, -1, 0.625];
const pool = (options: { routing?: TieRouting; bug?: string }, dtype: 'float64' | 'float32' = 'float64'): MaxPool2d =>
  new MaxPool2d(dtype, { channels: 1, inputValues: TIED_INPUT, ...options });

describe('coupled kinks (ties)', () => {
  it.each(['float64', 'float32'] as const)('routing to every tied maximum fails, naming the input and the tied pairs (%s)', (dtype) => {
    const report = checkGradients(pool({ bug: 'grad-to-every-tied-maximum' }, dtype));
    expect(report.verdict).toBe('fail');
    const input = report.tensors[0];
    expect(input.failures).toEqual([]);
    const pairs = input.jointFailures.map((j) => j.entries.map((e) => e.position.join(',')).join(' + '));
    // The diagonal tie of window (0,0) and the column tie of window (1,0)…
    expect(pairs).toContain('0,0,0 + 0,1,1');
    expect(pairs).toContain('0,2,0 + 0,3,0');
    // …and pairs inside the four-way tie of window (1,1)'s neighbour (0,1); never the untied window.
    expect(pairs.every((pair) => !pair.includes('0,2,3'))).toBe(true);
    for (const failure of input.jointFailures) {
      // Two routed gradients where any valid subgradient gives at most one.
      expect(failure.analytic).toBeCloseTo(failure.entries[0].analytic + failure.entries[1].analytic, 12);
      expect(failure.analytic < failure.lower || failure.analytic > failure.upper).toBe(true);
    }
    expect(() => expect(pool({ bug: 'grad-to-every-tied-maximum' }, dtype)).toHaveCorrectGradients()).toThrow(/together/);
  });

  it.each<[TieRouting]>([['first'], ['last'], ['split']])('routing to the %s maximum (a valid subgradient) passes', (routing) => {
    for (const dtype of ['float64', 'float32'] as const) {
      const report = checkGradients(pool({ routing }, dtype));
      expect(report.verdict).toBe('pass');
      expect(report.tensors[0].kinks.length).toBe(8);
    }
  });

  it('ReLU at exact zeros, and |x| at 0, pass: independent kinks are never judged together', () => {
    for (const name of ['relu-at-kinks', 'dense-relu-at-kinks', 'abs-at-zero']) {
      for (const dtype of ['float64', 'float32'] as const) expect(checkGradients(zooEntry(name).make(dtype)).verdict).toBe('pass');
    }
  });

  it('pairs kinks nearest in index first, up to a limit', () => {
    const kink = (index: number): KinkEntry => ({ index, position: [index], analytic: 0, lower: 0, upper: 1, right: 1, left: 0, stepUsed: 1e-5, slack: 0 });
    const pairs = nearbyPairs([kink(9), kink(1), kink(2), kink(5)], 4).map(([a, b]) => [a.index, b.index]);
    expect(pairs).toEqual([
      [1, 2],
      [2, 5],
      [5, 9],
      [1, 5],
    ]);
  });
});
