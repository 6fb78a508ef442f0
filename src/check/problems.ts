import { positionOf } from '../layer/numeric-view.js';
import { formatPosition } from './position-text.js';
import type { Problem } from './report-types.js';

/** The problems found before any comparison, each with the message that explains it. */

export function nonFiniteOutput(index: number, value: number, shape: readonly number[]): Problem {
  const position = positionOf(index, shape);
  return {
    kind: 'non-finite-output',
    severity: 'failure',
    position,
    message: `forward() returned ${value} at output${formatPosition(position)} before any perturbation; gradients of a non-finite output cannot be checked.`,
  };
}

export function forwardMutatesInput(index: number, shape: readonly number[]): Problem {
  const position = positionOf(index, shape);
  return {
    kind: 'forward-mutates-input',
    severity: 'impossible',
    tensor: 'input',
    position,
    message:
      `forward() changed its input at input${formatPosition(position)}. ` +
      'Each evaluation would then see a different input, so finite differences mean nothing; compute into a new array instead.',
  };
}

export function nondeterministicForward(index: number, first: number, second: number, shape: readonly number[]): Problem {
  const position = positionOf(index, shape);
  return {
    kind: 'nondeterministic-forward',
    severity: 'impossible',
    position,
    message:
      `forward() returned different values for the same parameters and input (output${formatPosition(position)}: ` +
      `${first} then ${second}). Finite differences need a deterministic forward: ` +
      'switch dropout to eval mode, fix random sampling with a seed, or reset hidden state between calls.',
  };
}

export function backwardMutatesUpstream(index: number, shape: readonly number[]): Problem {
  const position = positionOf(index, shape);
  return {
    kind: 'backward-mutates-upstream',
    severity: 'failure',
    position,
    message:
      `backward() changed the upstream gradient it was given (at ${formatPosition(position)}). ` +
      'In a network that gradient belongs to the next layer; write into a new array instead.',
  };
}
