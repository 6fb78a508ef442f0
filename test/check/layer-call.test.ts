import { describe, expect, it } from 'vitest';
import { AsyncLayerError, call, drive, type CheckProcess } from '../../src/check/layer-call.js';

/** A process that asks for three calls, adds their results, and always runs its cleanup. */
function* adder(log: string[], calls: (() => unknown)[]): CheckProcess<number> {
  try {
    let sum = 0;
    for (const [i, run] of calls.entries()) sum += (yield call(`call ${i}`, run)) as number;
    return sum;
  } finally {
    log.push('cleaned up');
  }
}

describe('drive', () => {
  it('runs a process synchronously while every call answers synchronously', () => {
    const log: string[] = [];
    expect(drive(adder(log, [() => 1, () => 2, () => 3]), true)).toBe(6);
    expect(log).toEqual(['cleaned up']);
  });

  it('continues asynchronously from the first Promise, with the same result', async () => {
    const log: string[] = [];
    const result = drive(adder(log, [() => 1, async () => 2, () => 3]), true);
    expect(result).toBeInstanceOf(Promise);
    expect(log).toEqual([]);
    await expect(result).resolves.toBe(6);
    expect(log).toEqual(['cleaned up']);
  });

  it('throws a call’s error into the process at the call, sync and async, so it cleans up', async () => {
    const own = new RangeError('boom');
    const syncLog: string[] = [];
    expect(() =>
      drive(
        adder(syncLog, [
          () => 1,
          () => {
            throw own;
          },
        ]),
        true,
      ),
    ).toThrow(own);
    expect(syncLog).toEqual(['cleaned up']);
    const asyncLog: string[] = [];
    await expect(drive(adder(asyncLog, [async () => 1, () => Promise.reject(own)]), true)).rejects.toBe(own);
    expect(asyncLog).toEqual(['cleaned up']);
  });

  it('without async, names the call that returned a Promise, cleans up, and leaves no rejection', async () => {
    const log: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(() => drive(adder(log, [() => 1, () => Promise.reject(new Error('late'))]), false)).toThrow(AsyncLayerError);
      expect(log).toEqual(['cleaned up']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
