/**
 * Hostile layers at scale (npm run test:stress): state a forward changes, spread over more objects
 * than a quick test needs, is all put back by the check.
 */
import { describe, expect, it } from 'vitest';
import { checkKeepingState as check } from '../helpers/check-keeping-state.js';
import { WithHiddenState } from '../zoo/hostile/layers.js';

describe('state forward changes is put back, at scale', () => {
  it('more than 100,000 reachable objects are all restored', () => {
    const layer = new WithHiddenState() as WithHiddenState & { log: { step: number }[] };
    layer.log = Array.from({ length: 120_000 }, (_, step) => ({ step }));
    const original = layer.log[110_000];
    const forward = layer.forward.bind(layer);
    layer.forward = (input: unknown) => {
      original.step++;
      return forward(input);
    };
    const report = check(layer);
    expect(report.verdict).toBe('pass');
    expect(original.step).toBe(110_000);
  });
});
