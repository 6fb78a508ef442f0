/**
 * Nasty but correct: ReLU on a flat input of 10 entries, three of them exactly 0 (on the kink).
 * Backward uses the subgradient 0 at x = 0, which is valid (anything in [0, 1] is).
 * A naive central difference there gives ½ and would flag the layer.
 * The bugs change only entries where no valid subgradient explains the change (e.g. not 0 → g at
 * a kink, which is merely another valid choice).
 */
import { ElementwiseActivation } from '../advanced/elementwise.js';
import type { Dtype, ZooEntry } from '../types.js';
import { createRng, randAway, variants, type BugSpec } from '../advanced/util.js';

const SIZE = 10;
const KINKS = [2, 5, 8];

const BUGS: BugSpec[] = [
  {
    name: 'kink-subgradient-2',
    description: 'At x = 0 the derivative is taken as 2, outside the subdifferential [0, 1].',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-sign-flipped',
    description: 'Backward returns −g where x > 0 (a sign slip); the zeros at the kinks and below are unchanged.',
    wrongTensors: ['input'],
  },
];

export class ReluAtKinks extends ElementwiseActivation {
  constructor(dtype: Dtype, bug?: string) {
    const input = randAway(createRng(30_101), SIZE, 0.1, 1.5);
    for (const k of KINKS) input[k] = 0;
    super('relu', 'typed', dtype, bug, BUGS, input);
  }

  protected value(x: number): number {
    return Math.max(0, x);
  }

  protected inputGradient(x: number, g: number): number {
    if (x === 0) return this.bug === 'kink-subgradient-2' ? 2 * g : 0;
    if (x > 0) return this.bug === 'grad-sign-flipped' ? -g : g;
    return 0;
  }
}

export const reluKinkEntry: ZooEntry = {
  name: 'relu-at-kinks',
  nasty: true,
  make: (dtype) => new ReluAtKinks(dtype),
  bugs: variants((dtype, bug) => new ReluAtKinks(dtype, bug), BUGS),
};
