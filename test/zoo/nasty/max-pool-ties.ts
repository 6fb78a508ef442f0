/**
 * Nasty but correct: 2×2 max pooling (the advanced zoo's MaxPool2d) on a [1][4][4] input whose
 * windows hold ties: two equal maxima on the diagonal, four equal values, two equal maxima in the
 * left column, and one untied window with its maximum at the top-right. The gradient goes to the
 * first maximum, a valid subgradient; a naive central difference gives ½ (or ¼) at the ties.
 *
 * Every tied window has its top-left element among the maxima, so the bugs below change only
 * entries where no valid subgradient could explain the change: moving the gradient within a tie is
 * not a bug a checker can (or should) see.
 */
import type { ZooEntry } from '../types.js';
import { MaxPool2d, MAX_POOL_BUGS, MAX_POOL_TIE_BUGS } from '../advanced/max-pool.js';
import { variants } from '../advanced/util.js';

// Values are exact in float32 too, so the ties survive rounding.
const TIED_INPUT = [
  // window (0,0): 0.75 at (0,0) and (1,1)    window (0,1): all four 0.5
  0.75, -0.25, 0.5, 0.5,
  0.125, 0.75, 0.5, 0.5,
  // window (1,0): 1.25 at (2,0) and (3,0)    window (1,1): max 1.5 at top-right, no tie
  1.25, -0.5, 0.25, 1.5,
  1.25, 0.375, -1, 0.625,
];

const BUGS = [
  ...MAX_POOL_BUGS.filter((bug) => bug.name === 'grad-to-top-left' || bug.name === 'window-index-row-col-swapped'),
  ...MAX_POOL_TIE_BUGS,
];

export const maxPoolTiesEntry: ZooEntry = {
  name: 'max-pool-ties',
  nasty: true,
  make: (dtype) => new MaxPool2d(dtype, { channels: 1, inputValues: TIED_INPUT }),
  bugs: variants((dtype, bug) => new MaxPool2d(dtype, { channels: 1, inputValues: TIED_INPUT, bug }), BUGS),
};
