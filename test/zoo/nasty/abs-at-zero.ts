/**
 * Nasty but correct: |x| on a flat input of 8 entries (`number[]` in float64), two of them exactly 0.
 * Backward uses sign(x) with the convention sign(0) = +1, a valid subgradient (anything in [−1, 1]
 * is) that a naive central difference (which gives 0 there) would flag.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, randAway, variants, type BugSpec } from '../advanced/util.js';

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

export class AbsAtZero implements Layer {
  private readonly inputValues: number[];
  private x: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randAway(createRng(30_202), SIZE, 0.1, 2);
    for (const k of ZEROS) this.inputValues[k] = 0;
  }

  sampleInput(): unknown {
    return pack('plain', this.dtype, this.inputValues, [SIZE]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    return pack('plain', this.dtype, x.map(Math.abs), [SIZE]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('abs: backward before forward');
    const g = flatten(gradOutput);
    const dx = this.x.map((v, i) => {
      if (this.bug === 'derivative-sign-flipped') return (v > 0 ? -1 : 1) * g[i];
      const sign = v >= 0 ? 1 : -1;
      return (this.bug === 'derivative-doubled' ? 2 : 1) * sign * g[i];
    });
    return pack('plain', this.dtype, dx, [SIZE]);
  }
}

export const absAtZeroEntry: ZooEntry = {
  name: 'abs-at-zero',
  nasty: true,
  make: (dtype) => new AbsAtZero(dtype),
  bugs: variants((dtype, bug) => new AbsAtZero(dtype, bug), BUGS),
};
