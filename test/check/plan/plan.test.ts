import { describe, expect, it } from 'vitest';
import { planCheck, TARGET_BLOCK, type PlanFacts } from '../../../src/check/plan/plan.js';

const facts = (overrides: Partial<PlanFacts>): PlanFacts => ({
  mode: 'auto',
  sample: null,
  dtype: 'float64',
  entriesInScope: [10_000, 100],
  bandSizes: [[4_000, 6_000], [100]],
  callsPerEntry: 4,
  callsUsed: 200,
  callsReserved: 900,
  maxEvaluations: 100_000,
  ...overrides,
});

describe('planCheck', () => {
  it('is exhaustive where the estimated calls fit the budget in calls', () => {
    const plan = planCheck(facts({}));
    expect(plan).toMatchObject({ kind: 'exhaustive', blockSize: null, sampleCounts: null, expectedMeasurements: 10_100 });
    // 4 calls per entry, and a re-evaluation of the unperturbed point per 64 entries.
    expect(plan.reason).toBe('auto: about 40,558 forward calls fit the budget of 100,000 calls');
  });

  it('projects when the budget binds, with the target blocks where the screening fits, naming the estimate and the budget', () => {
    const plan = planCheck(facts({ maxEvaluations: 10_000 }));
    expect(plan.kind).toBe('projection');
    expect(plan.reason).toBe('auto: exhaustive would need about 40,558 forward calls, over the budget of 10,000 calls');
    expect(plan.blockSize).toBe(TARGET_BLOCK.float64);
    // Each band is cut into 8 blocks per partition (500, 750 entries); the 100-entry band into 4 of 32 (the smallest
    // allowed in the first partition) and 8 of 13 in the second.
    expect(plan.expectedMeasurements).toBe(2 * 8 + 2 * 8 + (4 + 8));
    expect(plan.neededEvaluations).toBe(2000);
    expect(plan.sampleCounts).toEqual([0, 0]);
  });

  it('grows float32 blocks (doubling) only as far as the screening needs to fit the budget', () => {
    const large = { dtype: 'float32' as const, entriesInScope: [100_000, 100], bandSizes: [[100_000], [100]] };
    const roomy = planCheck(facts({ ...large, maxEvaluations: 400_000 }));
    // 70 % of (400,000 − 1,100) calls at 5 per direction hold 2 × 12,513 directions of 8 entries.
    expect(roomy).toMatchObject({ kind: 'projection', blockSize: 8 });
    const tight = planCheck(facts({ ...large, maxEvaluations: 100_000 }));
    // 70 % of 98,900 calls: blocks of 8 need 25,026 directions (125,130 calls), too many; 16 need 12,514 (62,570 calls).
    expect(tight.blockSize).toBe(16);
    // Screening with the target blocks needs 125,130 / 70 % calls besides the 1,100 used and reserved.
    expect(tight.neededEvaluations).toBe(Math.ceil((1_100 + 125_130 / 0.7) / 1000) * 1000);
  });

  it('plans the same from the same counts: nothing in it is a time', () => {
    expect(planCheck(facts({ maxEvaluations: 5_000 }))).toEqual(planCheck(facts({ maxEvaluations: 5_000 })));
  });

  it("honours mode: 'exhaustive' whatever it costs, and mode: 'projection' with the target blocks", () => {
    expect(planCheck(facts({ mode: 'exhaustive', maxEvaluations: 10 }))).toMatchObject({ kind: 'exhaustive', reason: "mode: 'exhaustive' was given" });
    expect(planCheck(facts({ mode: 'projection', maxEvaluations: 10 }))).toMatchObject({
      kind: 'projection',
      reason: "mode: 'projection' was given",
      blockSize: 4096,
      sampleCounts: [0, 0],
      expectedMeasurements: 44,
    });
  });

  it('samples a count or a fraction per tensor', () => {
    expect(planCheck(facts({ sample: 50 }))).toMatchObject({ kind: 'sample', sampleCounts: [50, 50], reason: 'sample: 50 was given' });
    expect(planCheck(facts({ sample: 0.01 })).sampleCounts).toEqual([100, 1]);
    expect(planCheck(facts({ mode: 'projection', sample: 7 })).sampleCounts).toEqual([7, 7]);
  });
});
