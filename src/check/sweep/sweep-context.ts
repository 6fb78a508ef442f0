import type { MeasureContext } from '../entry-measurement.js';
import type { CheckProcess } from '../layer-call.js';

/** What every mode needs besides measuring: bookkeeping after each measurement and the time limit. */
export interface SweepContext extends MeasureContext {
  /** After every measurement (an entry or a direction), with all values back in place. */
  afterMeasurement(suspicious: boolean): CheckProcess<void>;
  /** The hard time limit has passed: a mode stops and counts what it did not reach. */
  outOfTime(): boolean;
  /** The check's seed, for directions and samples. */
  seed: number;
  /** The layer's gradient scale (see gradient-scale-probe.ts), 0 until probed. */
  gradientScale: number;
  /** The check's clock, in seconds. */
  now(): number;
  /** Loss evaluations (forward calls made by measurements) so far. */
  lossEvaluations(): number;
}
