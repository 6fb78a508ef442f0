/**
 * ReLU, elementwise: y = max(x, 0), dy/dx = 1 for x > 0 and 0 for x < 0.
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Form-generic: the output (and the input gradient) have the input's form. The zoo sample input
 * is a flat `Float64Array` (`Float32Array` in float32) of 12 entries with |x| in [0.1, 2], far
 * from the kink at 0.
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randAway, variants, type BugSpec } from './tensor-utils.js';

const SIZE = 12;

const BUGS: BugSpec[] = [
  {
    name: 'mask-inverted',
    description: 'The gradient is passed where x < 0 and blocked where x > 0.',
    wrongTensors: ['input'],
  },
  {
    name: 'missing-upstream',
    description: 'backward returns the mask 1[x > 0] without multiplying by the upstream gradient.',
    wrongTensors: ['input'],
  },
  {
    name: 'mask-off-by-one',
    description: 'The mask of entry i is read from x[i − 1] (off-by-one index).',
    wrongTensors: ['input'],
  },
];

export class Relu implements Layer {
  private readonly inputValues: number[];
  private cache: { x: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randAway(createRng(3_001), SIZE, 0.1, 2);
  }

  sampleInput(): unknown {
    return pack('typed', this.dtype, this.inputValues, [SIZE]);
  }

  private store(values: Float64Array, template: unknown): unknown {
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(values) : values);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.cache = { x, template: input };
    return this.store(x.map((v) => (v > 0 ? v : 0)), input);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('relu: backward before forward');
    const { x, template } = this.cache;
    const g = flatten(gradOutput);
    const dx = x.map((v, i) => {
      switch (this.bug) {
        case 'mask-inverted':
          return v < 0 ? g[i] : 0;
        case 'missing-upstream':
          return v > 0 ? 1 : 0;
        case 'mask-off-by-one':
          return i > 0 && x[i - 1] > 0 ? g[i] : 0;
        default:
          return v > 0 ? g[i] : 0;
      }
    });
    return this.store(dx, template);
  }
}

export const reluEntry: ZooEntry = {
  name: 'relu',
  make: (dtype) => new Relu(dtype),
  bugs: variants((dtype, bug) => new Relu(dtype, bug), BUGS),
};
