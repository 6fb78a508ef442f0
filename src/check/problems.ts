import { entryLabel } from '../engine/position-text.js';
import type { BudgetLimits, BudgetStop } from './budget.js';
import type { Problem } from './report-types.js';

/** The problems found before or around the comparison, each with the message that explains it. */

/** Thrown out of a phase when a problem leaves no verdict to reach (see check-process.ts). */
export class CheckStopped extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export function forwardMutatesInput(position: number[], input = 'input'): Problem {
  return {
    kind: 'forward-mutates-input',
    severity: 'impossible',
    tensor: input,
    position,
    message:
      `forward() changed its input at ${entryLabel(input, position)}. ` +
      'Each evaluation would then see a different input, so finite differences mean nothing; compute into a new array instead.',
  };
}

export function nondeterministicForward(index: number, first: number, later: number, position: number[], when: string): Problem {
  return {
    kind: 'nondeterministic-forward',
    severity: 'impossible',
    position,
    message:
      `forward() returned different values for the same parameters and input (${entryLabel('output', position)}: ` +
      `${first} first, ${later} ${when}). Finite differences need a deterministic forward: ` +
      'switch dropout to eval mode, fix random sampling with a seed, or reset hidden state between calls.',
  };
}

export function repeatDiffers(entry: string, first: number, again: number): Problem {
  return {
    kind: 'nondeterministic-forward',
    severity: 'impossible',
    message:
      `forward() returned different values for the same parameters and input: ${entry} failed, and measured again at the same perturbed ` +
      `points its finite difference was ${again} instead of ${first}. Finite differences need a deterministic forward: ` +
      'switch dropout to eval mode, fix random sampling with a seed, or reset hidden state between calls.',
  };
}

export function backwardMutatesUpstream(position: number[]): Problem {
  return {
    kind: 'backward-mutates-upstream',
    severity: 'failure',
    position,
    message:
      `backward() changed the upstream gradient it was given (at ${entryLabel('upstream gradient', position)}). ` +
      'In a network that gradient belongs to the next layer; write into a new array instead.',
  };
}

export function stateNotRestored(failures: { path: string; reason: string }[]): Problem {
  const shown = failures.slice(0, 5).map((f) => `${f.path} (${f.reason})`);
  const more = failures.length > shown.length ? ` and ${failures.length - shown.length} more` : '';
  return {
    kind: 'state-not-restored',
    severity: 'impossible',
    message:
      `The check could not put the layer back exactly as it was: ${shown.join('; ')}${more}. ` +
      'Later tests would see a changed layer, so no verdict is given. Keep the state forward() and backward() change in plain, writable fields.',
  };
}

/** Seconds as the messages print them: `0.5 s`, `30 s`. */
const secondsText = (seconds: number): string => `${Number(seconds.toPrecision(2))} s`;

/** `neededEvaluations`: what mode 'auto' estimated the whole check needs, when its budget was too small for it. */
export function budgetExhausted(stop: BudgetStop, limits: BudgetLimits, neededEvaluations: number | null = null): Problem {
  const calls = stop.evaluations.toLocaleString('en-US');
  const raise =
    neededEvaluations === null
      ? 'Raise maxEvaluations, or leave mode to its default, which plans within it.'
      : `Screening every entry of this layer to its guarantee needs about ${neededEvaluations.toLocaleString('en-US')}: raise maxEvaluations to that.`;
  const what =
    stop.reason === 'call-timeout'
      ? `${stop.call} did not settle within ${secondsText(Math.min(limits.maxCallSeconds, limits.maxSeconds))}; it was abandoned after ${calls} calls and the layer was put back ` +
        '(should it settle later, it may still change what the layer holds). Raise maxCallSeconds if the layer is this slow, or find what never resolves.'
      : stop.reason === 'seconds'
        ? `The check reached its time guard, maxSeconds = ${secondsText(limits.maxSeconds)}, after ${calls} calls. Raise maxSeconds, or lower maxEvaluations so that mode 'auto' plans a cheaper check.`
        : `The check used all ${calls} calls of maxEvaluations. ${raise}`;
  return { kind: 'budget-exhausted', severity: 'inconclusive', message: `${what} Entries not reached are not checked, so the layer cannot pass.` };
}
