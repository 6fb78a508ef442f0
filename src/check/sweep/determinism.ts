import type { CheckProcess } from '../layer-call.js';
import { CheckStopped, nondeterministicForward } from '../problems.js';

/**
 * Finite differences need forward to be a function of its parameters and input. Comparing two
 * calls is not enough: training-mode dropout with p = 0.02 on 3 outputs returns the same mask twice
 * 89 % of the time. So the unperturbed point is evaluated again, bit for bit against the first
 * output, throughout and after the sweep. If a call's output differs with probability p, all n
 * re-evaluations agree by chance with probability (1 − p)ⁿ: a forward that changes on 1 % of its
 * calls slips through n = 700 of them with probability 0.99⁷⁰⁰ ≈ 9e-4, so it is reported
 * `impossible` in more than 99.9 % of runs (dropout as above: 0.94⁷⁰⁰ ≈ 1e-19).
 */
export const MIN_CENTER_CHECKS = 700;

/** On large checks one more re-evaluation per this many measurements (under 0.5 % of the calls). */
export const MEASUREMENTS_PER_EXTRA_CHECK = 64;

/** Thrown out of the sweep as soon as the layer is shown to be nondeterministic. */
export class NondeterminismFound extends CheckStopped {}

export interface DeterminismWatch {
  /** How many measurements (entries or directions) the check expects, so re-evaluations spread over them. */
  plan(measurements: number): void;
  /**
   * After each measurement (values back in place): counts it and says whether re-evaluations of the
   * center are due now, as scheduled or at once when `suspicious`; `catchUp` runs them. Two steps,
   * so the hot loop makes a generator only when there is something to run.
   */
  measured(suspicious: boolean): boolean;
  catchUp(): CheckProcess<void>;
  /** Runs the re-evaluations still owed, so every check makes at least MIN_CENTER_CHECKS of them. */
  finish(): CheckProcess<void>;
  /** Of the MIN_CENTER_CHECKS every check makes, those not made yet (for the plan's budget). */
  owed(): number;
  /** Compares an output computed at the unperturbed point (e.g. before a backward) with the first one. */
  compare(output: Float64Array, when: string): void;
  /** Re-evaluations so far, all equal to the first output. */
  readonly checks: number;
}

export interface WatchSetup {
  baseOutput: Float64Array;
  /** Evaluates forward at the current (unperturbed) values into `target`. */
  evaluateInto(target: Float64Array): CheckProcess<void>;
  position(index: number): number[];
}

export function createDeterminismWatch(setup: WatchSetup): DeterminismWatch {
  const { baseOutput } = setup;
  let planned = 1;
  let measurements = 0;
  let scheduledDone = 0;
  let checks = 0;
  const scratch = new Float64Array(baseOutput.length);

  const compare = (output: Float64Array, when: string): void => {
    for (let i = 0; i < baseOutput.length; i++) {
      if (!Object.is(output[i], baseOutput[i])) {
        throw new NondeterminismFound(nondeterministicForward(i, baseOutput[i], output[i], setup.position(i), when));
      }
    }
  };
  // Whether the most recent forward call was one of these re-evaluations.
  let lastCallWasCenter = false;
  const checkCenter = function* (): CheckProcess<void> {
    yield* setup.evaluateInto(scratch);
    lastCallWasCenter = true;
    compare(scratch, `on re-evaluation ${checks + 1} of the unperturbed point, after ${measurements} measurements`);
    checks++;
  };
  // Spread evenly over the planned measurements, so state that drifts after the 40th call is seen too.
  const due = (): number =>
    Math.floor((Math.min(measurements, planned) * MIN_CENTER_CHECKS) / planned) + Math.floor(measurements / MEASUREMENTS_PER_EXTRA_CHECK);
  let suspiciousPending = false;
  const watch: DeterminismWatch = {
    plan(count) {
      planned = Math.max(1, count);
    },
    measured(suspicious) {
      measurements++;
      lastCallWasCenter = false;
      suspiciousPending ||= suspicious;
      return suspiciousPending || scheduledDone < due();
    },
    *catchUp() {
      if (suspiciousPending) {
        suspiciousPending = false;
        yield* checkCenter();
      }
      const target = due();
      while (scheduledDone < target) {
        yield* checkCenter();
        scheduledDone++;
      }
    },
    *finish() {
      const owed = MIN_CENTER_CHECKS + Math.floor(measurements / MEASUREMENTS_PER_EXTRA_CHECK);
      while (scheduledDone < owed) {
        yield* checkCenter();
        scheduledDone++;
      }
      // The layer's last forward is at its original values, so state it derives from them in
      // forward (tfjs Variables assigned from the arrays) ends as it began.
      if (!lastCallWasCenter) yield* checkCenter();
    },
    owed: () => Math.max(0, MIN_CENTER_CHECKS - scheduledDone),
    compare,
    get checks() {
      return checks;
    },
  };
  return watch;
}
