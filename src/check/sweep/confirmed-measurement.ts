import { entryLabel } from '../../engine/position-text.js';
import type { CheckProcess } from '../layer-call.js';
import { repeatDiffers } from '../problems.js';
import { NondeterminismFound } from './determinism.js';
import { EntryPerturbation, measurePerturbation, type Measurement } from './entry-measurement.js';
import type { SweepContext } from './sweep-context.js';
import type { TensorRecord } from './tensor-record.js';

const sameEstimate = (a: Measurement, b: Measurement): boolean =>
  Object.is(a.estimate.numeric, b.estimate.numeric) && Object.is(a.estimate.errorEstimate, b.estimate.errorEstimate) && Object.is(a.estimate.stepUsed, b.estimate.stepUsed);

/**
 * One entry measured and judged; a failure is measured again (while confirmations last, see
 * sweep-context.ts) and must repeat exactly: a deterministic forward gives the same samples, bit
 * for bit, at the same perturbed point, so a repeat that differs shows randomness exactly where it
 * would otherwise be reported as a wrong gradient.
 */
export function* measureConfirmed(record: TensorRecord, index: number, context: SweepContext): CheckProcess<Measurement> {
  const { view, analytic, name } = record.tensor;
  const measurement = yield* measurePerturbation(new EntryPerturbation(view, index, context, name), analytic[index], context);
  if (measurement.verdict.pass || context.confirmations.left <= 0) return measurement;
  context.confirmations.left--;
  const again = yield* measurePerturbation(new EntryPerturbation(view, index, context, name), analytic[index], context);
  if (!sameEstimate(measurement, again)) {
    throw new NondeterminismFound(repeatDiffers(entryLabel(name, view.position(index)), measurement.estimate.numeric, again.estimate.numeric));
  }
  return measurement;
}
