import type { Dtype } from '../../engine/dtype.js';
import type { CheckProcess, LayerCall } from '../layer-call.js';
import type { ValidatedOptions } from '../options.js';
import type { DeterminismWatch } from './determinism.js';
import type { MeasureContext } from './entry-measurement.js';
import type { ProgressTracker } from './progress.js';

/** What every mode needs besides measuring: bookkeeping after each measurement and the time limit. */
export interface SweepContext extends MeasureContext {
  /** After every measurement (an entry or a direction), with all values back in place. */
  afterMeasurement(suspicious: boolean): CheckProcess<void>;
  /** The hard time limit has passed: a mode stops and counts what it did not reach. */
  outOfTime(): boolean;
  /** Clock reading past which the modes stop (Infinity unless the plan set one). */
  deadline: number;
  /** The check's seed, for directions and samples. */
  seed: number;
  /** The layer's gradient scale (see gradient-scale-probe.ts), 0 until probed. */
  gradientScale: number;
  /** The check's clock, in seconds. */
  now(): number;
  /** Loss evaluations (forward calls made by measurements) so far. */
  lossEvaluations(): number;
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
  now(): number;
}

export function createSweepContext(parts: SweepParts): SweepContext {
  const { watch, progress, now } = parts;
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
    deadline: Infinity,
    forwardCall: parts.forwardCall,
    lossOf(output) {
      lossEvaluations++;
      return parts.lossChange(output);
    },
    *afterMeasurement(suspicious) {
      progress.measurements++;
      yield* watch.afterMeasurement(suspicious);
      progress.report();
    },
    outOfTime: () => now() > context.deadline,
    now,
    lossEvaluations: () => lossEvaluations,
  };
  return context;
}
