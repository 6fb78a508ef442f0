/**
 * A nondeterministic forward is reported `impossible` reliably, not only when the first two calls
 * happen to differ. Training-mode dropout with a seeded random source stands in for Math.random,
 * so these rates are replayable: each run uses its own seed, as separate test runs would. Thousands
 * of checks: npm run test:stress.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import { MIN_CENTER_CHECKS } from '../../../src/check/sweep/determinism.js';
import { DropoutAffine } from '../../zoo/hostile/layers.js';
import { createRng } from '../../zoo/tensor-utils.js';
import type { AffineBug } from '../../zoo/hostile/affine.js';

/** Verdict counts over `runs` checks of dropout with probability p on 3 outputs (batch 1). */
function verdicts(p: number, runs: number, bug: AffineBug = 'none'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let run = 0; run < runs; run++) {
    const rng = createRng(10_000 + run);
    const layer = new DropoutAffine(p, () => rng.next(), { bug, sizes: { batch: 1, inSize: 4, outSize: 3 } });
    const { verdict } = checkGradients(layer);
    counts[verdict] = (counts[verdict] ?? 0) + 1;
  }
  return counts;
}

describe('dropout in training mode', () => {
  it('p = 0.02 on 3 outputs: impossible in at least 99.9 % of 3000 runs, never a pass', () => {
    const counts = verdicts(0.02, 3000);
    expect(counts.pass ?? 0).toBe(0);
    expect(counts.impossible).toBeGreaterThanOrEqual(2997);
  });

  it.each([0.05, 0.1, 0.2, 0.5])('p = %d: impossible in every one of 300 runs', (p) => {
    expect(verdicts(p, 300)).toEqual({ impossible: 300 });
  });

  it('a buggy dropout layer never passes (p = 0.02, 1000 runs)', () => {
    const counts = verdicts(0.02, 1000, 'weight-times-2');
    expect(counts.pass ?? 0).toBe(0);
    expect(counts.impossible).toBeGreaterThanOrEqual(999);
  });

  it('the re-evaluation count behind those rates', () => {
    // With q = 0.98³ the chance that all re-evaluations agree by luck is q^n.
    expect(0.98 ** 3) .toBeGreaterThan(0.94);
    expect((0.98 ** 3) ** MIN_CENTER_CHECKS).toBeLessThan(1e-4);
  });
});
