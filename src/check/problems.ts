import { entryLabel } from '../engine/position-text.js';
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
