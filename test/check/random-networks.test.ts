import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { createRng } from '../../src/engine/rng.js';
import { RandomNetwork, type TensorName } from '../zoo/protocol/random-network.js';

const SEEDS = Array.from({ length: 60 }, (_, i) => 1000 + i);
const TENSORS: TensorName[] = ['W1', 'b1', 'W2', 'b2'];

describe('random networks (seeded property test)', () => {
  it.each(SEEDS)('seed %i: a correct network passes in float64 and float32', (seed) => {
    for (const float32 of [false, true]) {
      const report = checkGradients(new RandomNetwork({ seed, float32 }));
      expect({ seed, float32, failing: report.tensors.filter((t) => !t.pass).map((t) => t.name) }).toEqual({ seed, float32, failing: [] });
    }
  });

  it('catches one corrupted entry at exactly that entry whenever the entry is resolvable', () => {
    let caught = 0;
    let cases = 0;
    for (const seed of SEEDS) {
      const pick = createRng(seed * 7);
      for (const float32 of [false, true]) {
        const relativeChange = float32 ? 0.05 : 1e-4;
        const correct = checkGradients(new RandomNetwork({ seed, float32 }));
        const tensor = TENSORS[Math.floor(pick.next() * TENSORS.length)];
        const { analytic, errorEstimate } = correct.tensors.find((t) => t.name === tensor)!;
        // The largest entry whose own error bar is well below the change (a smaller one is
        // reported as unresolved instead, and no checker could see the change there).
        let index = -1;
        for (let i = 0; i < analytic.length; i++) {
          const resolvable = errorEstimate[i] < 0.2 * relativeChange * Math.abs(analytic[i]);
          if (resolvable && (index < 0 || Math.abs(analytic[i]) > Math.abs(analytic[index]))) index = i;
        }
        if (index < 0) continue;
        cases++;
        const report = checkGradients(new RandomNetwork({ seed, float32, corrupt: { tensor, index, factor: 1 + relativeChange } }));
        const blamed = report.tensors.flatMap((t) => t.failures.map((f) => `${t.name}#${f.index}`));
        expect({ seed, float32, blamed }).toEqual({ seed, float32, blamed: [`${tensor}#${index}`] });
        caught++;
      }
    }
    // Most picks are resolvable: the test must not pass by skipping.
    expect(cases).toBeGreaterThanOrEqual(100);
    expect(caught).toBe(cases);
  });

  it('bounds the float32 error honestly: |numeric − exact| ≤ errorEstimate, and not absurdly loosely', () => {
    const ratios: number[] = [];
    for (const seed of SEEDS) {
      const network = new RandomNetwork({ seed, float32: true });
      const float32 = checkGradients(network);
      const exact = checkGradients(network.float64Twin());
      for (const tensor of float32.tensors) {
        const reference = exact.tensors.find((t) => t.name === tensor.name)!.analytic;
        for (let i = 0; i < tensor.size; i++) {
          ratios.push(Math.abs(tensor.numeric[i] - reference[i]) / tensor.errorEstimate[i]);
        }
      }
    }
    ratios.sort((a, b) => a - b);
    expect(ratios.length).toBeGreaterThan(2000);
    expect(ratios[ratios.length - 1]).toBeLessThanOrEqual(1);
    // An estimate inflated to hide everything would push the typical ratio towards 0.
    expect(ratios[ratios.length >> 1]).toBeGreaterThan(1e-3);
  });
});
