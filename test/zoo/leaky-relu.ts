/**
 * Leaky ReLU, elementwise: y = x for x > 0 and α·x for x < 0 (α = 0.1).
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Form-generic: the output (and the input gradient) have the input's form. The zoo sample input
 * is nested `[3][4]` (`number[][]`, `Float32Array` rows in float32) with |x| in [0.1, 2].
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randAway, variants, type BugSpec } from './tensor-utils.js';

const ROWS = 3;
const COLS = 4;

const BUGS: BugSpec[] = [
  {
    name: 'negative-slope-dropped',
    description: 'ReLU’s backward is reused: the gradient is 0 for x < 0 instead of α·g.',
    wrongTensors: ['input'],
  },
  {
    name: 'slopes-swapped',
    description: 'The branches are swapped: α·g for x > 0 and g for x < 0.',
    wrongTensors: ['input'],
  },
  {
    name: 'negative-slope-one-minus-alpha',
    description: 'The negative side uses 1 − α instead of α.',
    wrongTensors: ['input'],
  },
];

export class LeakyRelu implements Layer {
  private readonly inputValues: number[];
  private cache: { x: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
    readonly alpha = 0.1,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randAway(createRng(4_001), ROWS * COLS, 0.1, 2);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [ROWS, COLS]);
  }

  private store(values: Float64Array, template: unknown): unknown {
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(values) : values);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.cache = { x, template: input };
    return this.store(x.map((v) => (v > 0 ? v : this.alpha * v)), input);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('leaky-relu: backward before forward');
    const { x, template } = this.cache;
    const g = flatten(gradOutput);
    const { alpha } = this;
    const dx = x.map((v, i) => {
      switch (this.bug) {
        case 'negative-slope-dropped':
          return v > 0 ? g[i] : 0;
        case 'slopes-swapped':
          return v > 0 ? alpha * g[i] : g[i];
        case 'negative-slope-one-minus-alpha':
          return v > 0 ? g[i] : (1 - alpha) * g[i];
        default:
          return v > 0 ? g[i] : alpha * g[i];
      }
    });
    return this.store(dx, template);
  }
}

export const leakyReluEntry: ZooEntry = {
  name: 'leaky-relu',
  make: (dtype) => new LeakyRelu(dtype),
  bugs: variants((dtype, bug) => new LeakyRelu(dtype, bug), BUGS),
};
