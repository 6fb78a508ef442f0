import { describe, expect, it } from 'vitest';
import { createDeterminismWatch, MIN_CENTER_CHECKS, NondeterminismFound } from '../../../src/check/sweep/determinism.js';
import { drive, type CheckProcess } from '../../../src/check/layer-call.js';

/** Runs a process that makes no layer calls of its own (the watch's evaluations are plain generators here). */
const run = (process: CheckProcess<void>): void => void drive(process, false);
/** One measurement, as a mode reports it: re-evaluations run when the watch says they are due. */
const measured = (watch: ReturnType<typeof setup>['watch'], suspicious: boolean): void => {
  if (watch.measured(suspicious)) run(watch.catchUp());
};

const setup = (outputs: () => number[]) => {
  const calls = { count: 0 };
  const watch = createDeterminismWatch({
    baseOutput: Float64Array.from([1, 2]),
    *evaluateInto(target) {
      calls.count++;
      target.set(outputs());
    },
    position: (i) => [i],
  });
  return { watch, calls };
};

describe('determinism watch', () => {
  it('spreads 700 re-evaluations over the planned measurements, plus one per 64 measurements', () => {
    expect(MIN_CENTER_CHECKS).toBe(700);
    const { watch, calls } = setup(() => [1, 2]);
    watch.plan(640);
    let afterTen = 0;
    for (let entry = 0; entry < 640; entry++) {
      measured(watch, false);
      if (entry === 9) afterTen = calls.count;
    }
    expect(afterTen).toBe(Math.floor((10 * MIN_CENTER_CHECKS) / 640));
    expect(calls.count).toBe(MIN_CENTER_CHECKS + 10);
    run(watch.finish());
    expect(watch.checks).toBe(MIN_CENTER_CHECKS + 10);
  });

  it('finish() runs what is owed when fewer measurements came than planned', () => {
    const { watch, calls } = setup(() => [1, 2]);
    watch.plan(1000);
    for (let k = 0; k < 10; k++) measured(watch, false);
    expect(calls.count).toBe(Math.floor((10 * MIN_CENTER_CHECKS) / 1000));
    expect(watch.owed()).toBe(MIN_CENTER_CHECKS - calls.count);
    run(watch.finish());
    expect(calls.count).toBe(MIN_CENTER_CHECKS);
    expect(watch.owed()).toBe(0);
  });

  it('re-evaluates at once after a suspicious measurement', () => {
    const { watch, calls } = setup(() => [1, 2]);
    watch.plan(1_000_000);
    measured(watch, true);
    expect(calls.count).toBe(1);
  });

  it('throws the nondeterminism it finds, bit for bit (-0 differs from 0), naming the output entry', () => {
    const { watch } = setup(() => [1, 2]);
    expect(() => watch.compare(Float64Array.from([1, 2 + 1e-15]), 'before a backward call')).toThrow(NondeterminismFound);
    const zero = createDeterminismWatch({ baseOutput: Float64Array.from([0]), *evaluateInto() {}, position: (i) => [i] });
    try {
      zero.compare(Float64Array.from([-0]), 'later');
      throw new Error('no throw');
    } catch (error) {
      expect((error as NondeterminismFound).problem).toMatchObject({ kind: 'nondeterministic-forward', position: [0], severity: 'impossible' });
    }
  });
});
