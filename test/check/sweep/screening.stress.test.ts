/**
 * The screening's failure probability, measured over hundreds of seeds (npm run test:stress): two
 * wrong entries of one block whose errors cancel are still found.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import { LargeDense } from '../../zoo/large/dense.js';
import { oneBand, pairVerdicts } from '../../zoo/protocol/one-band.js';

describe('two wrong entries of one block whose errors cancel', () => {
  it('are found in at least 99 % of 300 seeds at 5 times the floor, the worst case (one band of 32 entries, exact cancellation)', () => {
    const floor = checkGradients(oneBand(32), { mode: 'projection' }).tensors[0].coverage.detectionFloor as number;
    const verdicts = pairVerdicts((layer, seed) => checkGradients(layer, { mode: 'projection', seed }), floor, 5, 300);
    expect(verdicts.pass).toBeLessThanOrEqual(3);
    expect(verdicts.fail).toBe(300 - verdicts.pass);
  });

  it('are found on 20,000 weights when 0.1 % of one gradient is credited to its neighbour, in 30 of 30 seeds', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const layer = new LargeDense({ inSize: 200, outSize: 100 });
      const index = 1000 + ((seed * 7919) % 18_000);
      const backward = layer.backward.bind(layer);
      layer.backward = (g) => {
        const dx = backward(g);
        const credit = 1e-3 * layer.dW[index];
        layer.dW[index] -= credit;
        layer.dW[index + 1] += credit;
        return dx;
      };
      const report = checkGradients(layer, { mode: 'projection', seed });
      expect(report.verdict).toBe('fail');
      expect(report.tensors[0].failures.map((f) => f.index)).toContain(index);
    }
  });
});
