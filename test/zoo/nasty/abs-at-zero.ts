/**
 * Nasty but correct: |x| on a flat input of 8 entries (`number[]` in float64), two of them exactly 0.
 * Backward uses sign(x) with the convention sign(0) = +1, a valid subgradient (anything in [−1, 1]
 * is) that a naive central difference (which gives 0 there) would flag.
 */
import { ElementwiseActivation } from '../advanced/elementwise.js';
import type { Dtype, ZooEntry } from '../types.js';
import { createRng, randAway, variants, type BugSpec } from '../advanced/util.js';

const SIZE = 8;
const ZEROS = [1, 6];

const BUGS: BugSpec[] = [
  {
    name: 'derivative-sign-flipped',
    description: 'The derivative is written with the comparison inverted, (x > 0 ? −1 : +1)·g: wrong for every nonzero x.',
    wrongTensors: ['input'],
  },
  {
    name: 'derivative-doubled',
    description: 'The derivative of |x| is taken as 2·sign(x) (a stray factor 2, as in d(x²)/dx), also at 0 where 2·g lies outside the subdifferential [−|g|, |g|].',
    wrongTensors: ['input'],
  },
];

export class AbsAtZero extends ElementwiseActivation {
  constructor(dtype: Dtype, bug?: string) {
    const input = randAway(createRng(30_202), SIZE, 0.1, 2);
    for (const k of ZEROS) input[k] = 0;
    super('abs', 'plain', dtype, bug, BUGS, input);
  }

  protected value(x: number): number {
    return Math.abs(x);
  }

  protected inputGradient(x: number, g: number): number {
    if (this.bug === 'derivative-sign-flipped') return (x > 0 ? -1 : 1) * g;
    const sign = x >= 0 ? 1 : -1;
    return (this.bug === 'derivative-doubled' ? 2 : 1) * sign * g;
  }
}

export const absAtZeroEntry: ZooEntry = {
  name: 'abs-at-zero',
  nasty: true,
  make: (dtype) => new AbsAtZero(dtype),
  bugs: variants((dtype, bug) => new AbsAtZero(dtype, bug), BUGS),
};
