import type { Problem } from './report-types.js';
import { nondeterministicForward } from './problems.js';

/**
 * Finite differences need forward to be a function of its parameters and input. Comparing two
 * calls is not enough: training-mode dropout with p = 0.02 on 3 outputs returns the same mask twice
 * 89 % of the time. So the unperturbed point is evaluated again, bit for bit against the first
 * output, throughout and after the sweep. If the likeliest output has probability q, all n
 * re-evaluations agree by chance with probability ≈ qⁿ: with q = 0.98³ (p = 0.02, 3 outputs) and
 * n = 160 that is 6e-5, so such a layer is reported `impossible` in more than 99.99 % of runs.
 */
export const MIN_CENTER_CHECKS = 160;

/** On large tensors one more re-evaluation per this many entries (under 0.5 % of the sweep's calls). */
const ENTRIES_PER_EXTRA_CHECK = 64;

/** Thrown out of the sweep as soon as the layer is shown to be nondeterministic. */
export class NondeterminismFound extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export interface DeterminismWatch {
  /** Sets how many entries the sweep will visit (over all tensors), so re-evaluations spread over it. */
  plan(entries: number): void;
  /** After each entry (values back in place): re-evaluates the center as scheduled, or at once when `suspicious`. */
  afterEntry(suspicious: boolean): void;
  /** Compares an output computed at the unperturbed point (e.g. before a backward) with the first one. */
  compare(output: Float64Array, when: string): void;
  /** Re-evaluations so far, all equal to the first output. */
  readonly checks: number;
}

export interface WatchSetup {
  baseOutput: Float64Array;
  /** Evaluates forward at the current (unperturbed) values into `target`. */
  evaluateInto(target: Float64Array): void;
  position(index: number): number[];
}

export function createDeterminismWatch(setup: WatchSetup): DeterminismWatch {
  const { baseOutput } = setup;
  let plannedEntries = 0;
  let totalChecks = MIN_CENTER_CHECKS;
  const scratch = new Float64Array(baseOutput.length);
  let entriesDone = 0;
  let scheduledDone = 0;
  let checks = 0;

  const compare = (output: Float64Array, when: string): void => {
    for (let i = 0; i < baseOutput.length; i++) {
      if (!Object.is(output[i], baseOutput[i])) {
        throw new NondeterminismFound(nondeterministicForward(i, baseOutput[i], output[i], setup.position(i), when));
      }
    }
  };
  const checkCenter = (): void => {
    setup.evaluateInto(scratch);
    compare(scratch, `on re-evaluation ${checks + 1} of the unperturbed point, after ${entriesDone} of ${plannedEntries} entries`);
    checks++;
  };
  return {
    plan(entries) {
      plannedEntries = entries;
      totalChecks = MIN_CENTER_CHECKS + Math.ceil(entries / ENTRIES_PER_EXTRA_CHECK);
    },
    afterEntry(suspicious) {
      entriesDone++;
      if (suspicious) checkCenter();
      // Spread evenly over the sweep, so state that drifts after the 40th call is seen too.
      const due = Math.floor((entriesDone * totalChecks) / Math.max(plannedEntries, 1));
      while (scheduledDone < due) {
        checkCenter();
        scheduledDone++;
      }
    },
    compare,
    get checks() {
      return checks;
    },
  };
}
