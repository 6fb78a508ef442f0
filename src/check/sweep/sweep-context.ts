import type { Dtype } from '../../engine/dtype.js';
import type { CheckProcess, LayerCall } from '../layer-call.js';
import type { ValidatedOptions } from '../options.js';
import type { DeterminismWatch } from './determinism.js';
import type { MeasureContext } from './entry-measurement.js';
import type { ProgressTracker } from './progress.js';

/**
 * Failing measurements repeated per check to confirm them (confirmed-measurement.ts); bounded, so
 * a wholly wrong gradient costs at most this many extra measurements.
 */
export const CONFIRMATIONS_PER_CHECK = 32;

/** What every mode needs besides measuring: bookkeeping after each measurement. (The budget is enforced at every call, see budget.ts.) */
export interface SweepContext extends MeasureContext {
  /**
   * After every measurement (an entry or a direction), with all values back in place: counts it and
   * says whether re-evaluations of the unperturbed point are due, which `catchUp` then runs.
   * (`if (context.measured(s)) yield* context.catchUp()`: no generator per measurement in the hot loop.)
   */
  measured(suspicious: boolean): boolean;
  catchUp(): CheckProcess<void>;
  /** The check's seed, for directions and samples. */
  seed: number;
  /** The layer's gradient scale (see gradient-scale-probe.ts), 0 until probed. */
  gradientScale: number;
  /** Loss evaluations (forward calls made by measurements) so far. */
  lossEvaluations(): number;
  /** Failing measurements that may still be repeated to confirm them (see confirmed-measurement.ts). */
  confirmations: { left: number };
  /** Calls the budget still allows (Infinity without a limit). */
  evaluationsLeft(): number;
}

export interface SweepParts {
  dtype: Dtype;
  options: ValidatedOptions;
  tolerance: number;
  lossNoise: number;
  forwardCall: LayerCall;
  /** J − J₀ from one forward result (counted here as a loss evaluation). */
  lossChange(output: unknown): number;
  watch: DeterminismWatch;
  progress: ProgressTracker;
  evaluationsLeft(): number;
}

export function createSweepContext(parts: SweepParts): SweepContext {
  const { watch, progress, lossChange } = parts;
  let lossEvaluations = 0;
  const context: SweepContext = {
    dtype: parts.dtype,
    options: parts.options,
    tolerance: parts.tolerance,
    // Samples are J − J₀, the loss's change from the unperturbed point.
    centerLoss: 0,
    lossNoise: parts.lossNoise,
    absoluteTolerance: 0,
    gradientScale: 0,
    seed: parts.options.seed,
    forwardCall: parts.forwardCall,
    lossOf(output) {
      lossEvaluations++;
      return lossChange(output);
    },
    measured(suspicious) {
      progress.measurements++;
      progress.report();
      return watch.measured(suspicious);
    },
    catchUp: () => watch.catchUp(),
    lossEvaluations: () => lossEvaluations,
    confirmations: { left: CONFIRMATIONS_PER_CHECK },
    evaluationsLeft: parts.evaluationsLeft,
  };
  return context;
}
