import { describe, expect, it } from 'vitest';
import { planCheck, type PlanFacts } from '../../../src/check/plan/plan.js';

const facts = (overrides: Partial<PlanFacts>): PlanFacts => ({
  mode: 'auto',
  sample: null,
  dtype: 'float64',
  entriesInScope: [10_000, 100],
  secondsPerCall: 1e-4,
  callsPerEntry: 4,
  callsUsed: 200,
  maxEvaluations: 100_000,
  maxSeconds: 2,
  ...overrides,
});

describe('planCheck', () => {
  it('is exhaustive where the estimated calls fit both budgets', () => {
    const plan = planCheck(facts({ secondsPerCall: 1e-5 }));
    expect(plan).toMatchObject({ kind: 'exhaustive', blockSize: null, sampleCounts: null, expectedMeasurements: 10_100 });
    expect(plan.reason).toBe('auto: about 40,400 forward calls (≈ 0.4 s) fit the budget');
  });

  it('projects with a sample when the time budget binds, naming the estimate and the budget', () => {
    const plan = planCheck(facts({ secondsPerCall: 1e-3 }));
    expect(plan.kind).toBe('projection');
    expect(plan.reason).toBe('auto: exhaustive would need about 40,400 forward calls (≈ 40 s), over the budget of 2 s and 100,000 calls');
    // 2 s / 1 ms = 2000 calls, less 200 used and 160 re-evaluations: 60 % to directions of 5 calls.
    expect(plan.blockSize).toBe(Math.max(1000, Math.ceil(10_100 / Math.floor((0.6 * 1640) / 5))));
    // 10 % of 1640 calls at 4 per entry is 41 entries, shared in proportion to size.
    expect(plan.sampleCounts).toEqual([40, 1]);
  });

  it('projects when the evaluation budget binds, with float32 blocks of 32 where affordable', () => {
    const plan = planCheck(facts({ maxEvaluations: 20_000, dtype: 'float32' }));
    expect(plan.kind).toBe('projection');
    expect(plan.blockSize).toBe(Math.max(32, Math.ceil(10_100 / Math.floor((0.6 * (20_000 - 360)) / 5))));
  });

  it("honours mode: 'exhaustive' whatever it costs, and mode: 'projection' on small layers", () => {
    expect(planCheck(facts({ mode: 'exhaustive', secondsPerCall: 1 }))).toMatchObject({ kind: 'exhaustive', reason: "mode: 'exhaustive' was given" });
    // An explicit projection does not depend on the measured speed: fixed blocks, no sample unless asked.
    for (const secondsPerCall of [1e-6, 1]) {
      const projection = planCheck(facts({ mode: 'projection', secondsPerCall }));
      expect(projection).toMatchObject({ kind: 'projection', reason: "mode: 'projection' was given", blockSize: 1000, sampleCounts: [0, 0], expectedMeasurements: 11 });
    }
  });

  it('samples a count or a fraction per tensor', () => {
    expect(planCheck(facts({ sample: 50 }))).toMatchObject({ kind: 'sample', sampleCounts: [50, 50], reason: 'sample: 50 was given' });
    expect(planCheck(facts({ sample: 0.01 })).sampleCounts).toEqual([100, 1]);
    expect(planCheck(facts({ mode: 'projection', sample: 7 })).sampleCounts).toEqual([7, 7]);
  });
});
