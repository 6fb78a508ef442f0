import type { Clock } from './clock.js';
import { nested, type CallGuard, type CheckProcess, type LayerCall } from './layer-call.js';

/** Why the check stopped before it planned to. */
export type StopReason = 'evaluations' | 'seconds' | 'call-timeout';

/** What stopped the check, as data for the report. */
export interface BudgetStop {
  reason: StopReason;
  /** The call that was refused (`forward()`), or abandoned for `call-timeout`. */
  call: string;
  /** Calls into the layer made before the stop. */
  evaluations: number;
  /** Seconds the check had run when it stopped. */
  seconds: number;
}

/** Thrown into the check at the call the budget refuses (or abandons); the check reports what it reached. */
export class BudgetExhausted extends Error {
  constructor(readonly stop: BudgetStop) {
    super(`the check stopped (${stop.reason}) at ${stop.call}`);
  }
}

export interface BudgetLimits {
  /** Calls into the layer (forward and backward) the check may make. */
  maxEvaluations: number;
  /** Seconds after which no further call is made. */
  maxSeconds: number;
  /** Seconds an async call may stay pending before it is abandoned. */
  maxCallSeconds: number;
}

/**
 * Every call into the layer passes here first (see `drive`): the check's probe, sweep,
 * re-evaluations, joint checks and diagnoses alike. Past either limit the next call is refused, so
 * a check overruns `maxSeconds` by at most one call; an async call pending past `maxCallSeconds`
 * (or past `maxSeconds`, if sooner) is abandoned. Calls marked `exempt` (the one closing forward at
 * the original values after a stop) are neither counted nor refused.
 */
export interface Budget extends CallGuard {
  readonly limits: BudgetLimits;
  /** Calls admitted so far. */
  readonly evaluations: number;
  /** Seconds since the budget was created. */
  elapsed(): number;
  /**
   * Runs `process` with `inner` asked before each of its calls instead of this budget: a check run
   * inside another (a layer of a sequence, checked on its own) has its own plan and budget, and its
   * calls are not the outer check's. The driver keeps asking this budget, which hands over.
   */
  within<T>(inner: Budget, process: CheckProcess<T>): CheckProcess<T>;
}

export function createBudget(limits: BudgetLimits, clock: Clock): Budget {
  const started = clock();
  let evaluations = 0;
  const elapsed = (): number => clock() - started;
  const exhausted = (reason: StopReason, call: LayerCall): BudgetExhausted =>
    new BudgetExhausted({ reason, call: call.what, evaluations, seconds: elapsed() });
  let delegate: Budget | null = null;
  return {
    limits,
    get evaluations() {
      return evaluations;
    },
    elapsed,
    *within<T>(inner: Budget, process: CheckProcess<T>): CheckProcess<T> {
      const outer = delegate;
      delegate = inner;
      try {
        return yield* nested(process);
      } finally {
        delegate = outer;
      }
    },
    admit(call) {
      if (delegate !== null) return delegate.admit(call);
      if (call.exempt === true) return;
      if (evaluations >= limits.maxEvaluations) throw exhausted('evaluations', call);
      if (elapsed() > limits.maxSeconds) throw exhausted('seconds', call);
      evaluations++;
    },
    pendingLimit(call) {
      if (delegate !== null) return delegate.pendingLimit(call);
      const left = call.exempt === true ? limits.maxCallSeconds : Math.min(limits.maxCallSeconds, limits.maxSeconds - elapsed());
      return { seconds: Math.max(0, left), abandon: () => exhausted('call-timeout', call) };
    },
  };
}
