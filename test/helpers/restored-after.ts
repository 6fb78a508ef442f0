import type { RestoreFailure } from '../../src/layer/state-snapshot.js';
import { snapshotState } from '../../src/layer/state-snapshot.js';
import { captureDeepState, expectSameDeepState } from './deep-state.js';

/**
 * Snapshots `layer`, lets `forward` change it, restores, and asserts that every reachable value is
 * bit for bit as it was. Returns what the restore reported (mostly expected to be []).
 */
export function restoredAfter<T extends object>(layer: T, forward: (layer: T) => void): RestoreFailure[] {
  const before = captureDeepState(layer);
  const snapshot = snapshotState(layer);
  forward(layer);
  const failures = snapshot.restore();
  expectSameDeepState(before, captureDeepState(layer));
  return failures;
}
