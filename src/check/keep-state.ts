import { readAll, writeAll, type NumericView } from '../layer/numeric-view.js';
import { saveGrad } from '../layer/gradients.js';
import type { ParamSlot } from '../layer/params.js';
import type { RestoreFailure } from '../layer/state-snapshot.js';
import type { CheckProcess } from './layer-call.js';
import { stateNotRestored } from './problems.js';
import type { GradientReport } from './report-types.js';

/** Thrown when the layer threw (or the check failed) and the layer could not be put back as it was either. */
export class LayerStateError extends Error {}

const messageOf = (error: unknown): string => String((error as Error)?.message ?? error);

/**
 * Runs `work`, then `restore` (also when it throws). What could not be put back leaves no verdict:
 * a report becomes `impossible` with the problem named, and a thrown error becomes a
 * LayerStateError that says so and carries the error as its cause.
 */
export function* thenRestore(work: CheckProcess<GradientReport>, restore: () => RestoreFailure[]): CheckProcess<GradientReport> {
  let report: GradientReport;
  try {
    report = yield* work;
  } catch (error) {
    const unrestored = restore();
    if (unrestored.length === 0) throw error;
    throw new LayerStateError(`${stateNotRestored(unrestored).message} (The check stopped with: ${messageOf(error)})`, { cause: error });
  }
  const unrestored = restore();
  if (unrestored.length === 0) return report;
  return { ...report, problems: [...report.problems, stateNotRestored(unrestored)], pass: false, verdict: 'impossible' };
}

/**
 * Writes saved values back through the layer's own storage (an accessor may throw); one failure
 * must not keep the other tensors from being put back, so each is attempted and reported.
 */
function attemptWrite(path: string, view: NumericView, values: Float64Array): RestoreFailure[] {
  try {
    writeAll(view, values);
    return [];
  } catch (error) {
    return [{ path, reason: `writing it back threw: ${messageOf(error)}` }];
  }
}

/** Storage the snapshot puts back entry for entry (see StateSnapshot.covers): a second copy of it would only double the memory. */
const coveredBy = (view: NumericView, covers: (storage: object) => boolean): boolean =>
  view.storage.length > 0 && view.storage.every((range) => covers(range.owner));

/**
 * Saves every parameter value and gradient the layer holds now, except storage the snapshot already
 * saved (`covers`), and returns the function that writes them back through the layer's own storage
 * (accessors, registered tensor classes: what the snapshot cannot reach).
 */
export function saveParams(slots: readonly ParamSlot[], covers: (storage: object) => boolean): () => RestoreFailure[] {
  const savedValues = slots.map((slot) => (coveredBy(slot.value, covers) ? null : readAll(slot.value)));
  // A computed gradient is read only after a backward (see ParamSlot.gradIsComputed): its storage, if
  // the layer's own, is the snapshot's to put back.
  const savedGrads = slots.map((slot) => (slot.gradIsComputed ? null : saveGrad(slot, (view) => coveredBy(view, covers))));
  return () => [
    ...slots.flatMap((slot, i) => {
      const saved = savedValues[i];
      return saved === null ? [] : attemptWrite(`parameter '${slot.name}'`, slot.value, saved);
    }),
    ...slots.flatMap((slot, i) => {
      const saved = savedGrads[i];
      return saved === null ? [] : attemptWrite(`gradient of '${slot.name}'`, saved.view, saved.values);
    }),
  ];
}
