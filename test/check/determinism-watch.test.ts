import { describe, expect, it } from 'vitest';
import { createDeterminismWatch, MIN_CENTER_CHECKS, NondeterminismFound } from '../../src/check/determinism.js';

const setup = (outputs: () => number[]) => {
  const calls = { count: 0 };
  const watch = createDeterminismWatch({
    baseOutput: Float64Array.from([1, 2]),
    evaluateInto: (target) => {
      calls.count++;
      target.set(outputs());
    },
    position: (i) => [i],
  });
  return { watch, calls };
};

describe('determinism watch', () => {
  it('spreads 160 re-evaluations plus one per 64 entries over the sweep', () => {
    const { watch, calls } = setup(() => [1, 2]);
    watch.plan(640);
    let afterTen = 0;
    for (let entry = 0; entry < 640; entry++) {
      watch.afterEntry(false);
      if (entry === 9) afterTen = calls.count;
    }
    expect(calls.count).toBe(MIN_CENTER_CHECKS + 10);
    expect(afterTen).toBe(Math.floor((10 * 170) / 640));
    expect(watch.checks).toBe(170);
  });

  it('re-evaluates at once after a suspicious entry', () => {
    const { watch, calls } = setup(() => [1, 2]);
    watch.plan(1_000_000);
    watch.afterEntry(true);
    expect(calls.count).toBe(1);
  });

  it('throws the nondeterminism it finds, bit for bit (-0 differs from 0), naming the output entry', () => {
    const { watch } = setup(() => [1, 2]);
    expect(() => watch.compare(Float64Array.from([1, 2 + 1e-15]), 'before a backward call')).toThrow(NondeterminismFound);
    const zero = createDeterminismWatch({ baseOutput: Float64Array.from([0]), evaluateInto: () => undefined, position: (i) => [i] });
    try {
      zero.compare(Float64Array.from([-0]), 'later');
      throw new Error('no throw');
    } catch (error) {
      expect((error as NondeterminismFound).problem).toMatchObject({ kind: 'nondeterministic-forward', position: [0], severity: 'impossible' });
    }
  });
});
