/**
 * Extra memory a check holds beyond the layer, sampled from inside the check.
 *
 * Method: collect garbage, read `heapUsed + arrayBuffers` (JS heap plus typed-array backing stores)
 * with the layer built and run once: the baseline. During the check, every `sampleEvery`-th forward
 * call collects garbage and reads the same sum again; after the check, once more with the report
 * still referenced. The peak minus the baseline is the live memory the check held at its largest:
 * its own copies, per-entry arrays and the report, not garbage waiting to be collected (which
 * depends on the collector's timing, not on the check). Temporary arrays that live only between two
 * samples, after the last forward call or before the first, are not seen; the per-entry ones in
 * the report are (they outlive the check).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { withForwardHook, type ForwardLayer } from './forward-hook.js';

type Collect = () => void;

function collector(): Collect {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (exposed !== undefined) return exposed;
  // Not started with --expose-gc: expose it now (V8 reads the flag when a new context is created).
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Collect;
}

const collect = collector();

export interface LiveBytes {
  /** JS heap: objects, closures, compiled code. */
  heap: number;
  /** Backing stores of ArrayBuffers and typed arrays (outside the JS heap). */
  typedArrays: number;
}

/** Live memory after a full collection (twice: the first may only queue finalizers that free buffers). */
export function liveBytes(): LiveBytes {
  collect();
  collect();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, typedArrays: usage.arrayBuffers };
}

export interface MemoryMeasurement<T> {
  value: T;
  /** Largest live memory (heap + typed arrays) seen during the check or after it, minus the baseline. */
  peakExtraBytes: number;
  /** The typed-array part alone, at its own peak: the per-entry arrays live here, so it scales with the entries. */
  peakExtraTypedArrayBytes: number;
  /** Live memory still held after the check with its result referenced, minus the baseline. */
  resultBytes: number;
  samples: number;
}

/**
 * Runs `check(layer)` sampling the live memory at every `sampleEvery`-th forward call, and once
 * more after it with its result held.
 */
export function measurePeakMemory<L extends ForwardLayer, T>(layer: L, sampleEvery: number, check: (layer: L) => T): MemoryMeasurement<T> {
  const baseline = liveBytes();
  const extra = (now: LiveBytes): { total: number; typedArrays: number } => ({
    total: now.heap + now.typedArrays - baseline.heap - baseline.typedArrays,
    typedArrays: now.typedArrays - baseline.typedArrays,
  });
  let peakExtraBytes = 0;
  let peakExtraTypedArrayBytes = 0;
  let calls = 0;
  let samples = 0;
  const sample = (): number => {
    const now = extra(liveBytes());
    peakExtraBytes = Math.max(peakExtraBytes, now.total);
    peakExtraTypedArrayBytes = Math.max(peakExtraTypedArrayBytes, now.typedArrays);
    samples++;
    return now.total;
  };
  const before = (): void => {
    if (calls++ % sampleEvery === 0) sample();
  };
  const value = withForwardHook(layer, { before }, check);
  const resultBytes = sample();
  return { value, peakExtraBytes, peakExtraTypedArrayBytes, resultBytes, samples };
}
