/**
 * Shards split one layer's check over workers or CI machines: shard k of n checks every n-th entry
 * (numbered across tensors), and the n shards together are the full check, entry for entry.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../../src/check/check-gradients.js';
import type { GradientReport } from '../../../../src/check/report-types.js';
import { LargeDense } from '../../../zoo/large/dense.js';

const planted = new Map([
  [3, 2],
  [250, -1],
  [1199, 1 + 1e-3],
]);
const layer = (): LargeDense => new LargeDense({ inSize: 40, outSize: 30, batch: 3, plantedWeightErrors: planted });

describe('shard: [k, n]', () => {
  const full = checkGradients(layer(), { mode: 'exhaustive' });
  const shards: GradientReport[] = [1, 2, 3].map((k) => checkGradients(layer(), { mode: 'exhaustive', shard: [k, 3] }));

  it('covers each entry in exactly one shard', () => {
    full.tensors.forEach((tensor, t) => {
      const covered = shards.reduce((n, shard) => n + shard.tensors[t].coverage.inScope, 0);
      expect(covered).toBe(tensor.size);
    });
  });

  it('measures every entry exactly as the full check does, bit for bit', () => {
    full.tensors.forEach((tensor, t) => {
      for (let i = 0; i < tensor.size; i++) {
        const owner = shards.filter((shard) => !Number.isNaN(shard.tensors[t].numeric[i]) && shard.tensors[t].coverage.inScope > 0);
        const values = owner.map((shard) => [shard.tensors[t].numeric[i], shard.tensors[t].errorEstimate[i]]);
        expect(values.length).toBeGreaterThanOrEqual(1);
        for (const value of values) expect(value).toEqual([tensor.numeric[i], tensor.errorEstimate[i]]);
      }
    });
  });

  it('finds, together, exactly the full check’s failures, and each shard reports its part of the mode', () => {
    const union = shards.flatMap((shard) => shard.tensors.flatMap((t) => t.failures.map((f) => `${t.name}#${f.index}`))).sort();
    const expected = full.tensors.flatMap((t) => t.failures.map((f) => `${t.name}#${f.index}`)).sort();
    expect(union).toEqual(expected);
    expect(expected).toEqual(['W#1199', 'W#250', 'W#3']);
    expect(shards.map((s) => s.mode.shard)).toEqual([
      { index: 1, count: 3 },
      { index: 2, count: 3 },
      { index: 3, count: 3 },
    ]);
    expect(shards.map((s) => s.verdict).sort()).toEqual(['fail', 'fail', 'fail']);
  });

  it('a correct layer passes in every shard, with the same gradient scale as the full check', () => {
    const correct = () => new LargeDense({ inSize: 40, outSize: 30, batch: 3 });
    const whole = checkGradients(correct(), { mode: 'exhaustive' });
    for (const k of [1, 2, 3, 4]) {
      const part = checkGradients(correct(), { mode: 'exhaustive', shard: [k, 4] });
      expect(part.verdict).toBe('pass');
      expect(part.gradientScale).toBe(whole.gradientScale);
    }
  });

  it('refuses a shard outside 1..n', () => {
    expect(() => checkGradients(layer(), { shard: [0, 3] })).toThrow('shard must be [k, n] with 1 ≤ k ≤ n');
    expect(() => checkGradients(layer(), { shard: [4, 3] })).toThrow('shard must be [k, n] with 1 ≤ k ≤ n');
  });
});
