/**
 * The check's copies of the input and of the upstream gradient are values: every position its own.
 * Shared rows (one array given twice, an output that returns an input row twice) must not make one
 * step move two positions, nor make the upstream gradient look changed by backward.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { containerLike, deepCopy } from '../../src/layer/container-copy.js';
import { checkKeepingState } from '../helpers/check-keeping-state.js';
import { GatherRows, RowwiseDense, sharedBatch } from '../zoo/protocol/shared-rows.js';

describe('deepCopy', () => {
  it('copies a row given twice into two rows, and keeps cycles and prototypes', () => {
    const row = [1, 2];
    const copy = deepCopy([row, row]);
    expect(copy).toEqual([row, row]);
    expect(copy[0]).not.toBe(copy[1]);
    copy[0][0] = 9;
    expect(copy[1][0]).toBe(1);
    const cyclic: { self?: unknown; values: Float64Array } = { values: Float64Array.of(1) };
    cyclic.self = cyclic;
    const copied = deepCopy(cyclic);
    expect(copied.self).toBe(copied);
    expect(copied.values).not.toBe(cyclic.values);
    class Tensor {
      constructor(readonly data: number[]) {}
    }
    expect(deepCopy(new Tensor([1]))).toBeInstanceOf(Tensor);
  });

  it('builds the upstream gradient fresh, row by row, from a template whose rows are shared', () => {
    const row = [0, 0];
    const upstream = containerLike([row, row], Float64Array.of(1, 2, 3, 4)) as number[][];
    expect(upstream).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('no false alarm from shared rows', () => {
  it('a dense layer checked at a batch whose rows are one array passes, and the caller keeps its array', () => {
    const input = sharedBatch();
    const report = checkKeepingState(new RowwiseDense(), { input }, input);
    expect(report.verdict).toBe('pass');
    expect(report.problems).toEqual([]);
    expect(input[0]).toBe(input[1]);
  });

  it('an output whose rows are the input\'s own, one of them twice, passes without "backward changed the upstream gradient"', () => {
    const report = checkKeepingState(new GatherRows());
    expect(report.problems.map((p) => p.kind)).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(checkGradients(new GatherRows([1, 1, 1])).verdict).toBe('pass');
  });
});
