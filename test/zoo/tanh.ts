/**
 * Hyperbolic tangent, elementwise: y = tanh(x), dy/dx = 1 − y².
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Form-generic: the output (and the input gradient) have the input's form, so `mlp` can put it
 * between two dense layers (nested rows). The zoo sample input is a flat `number[]`
 * (`Float32Array` in float32) of 12 entries with |x| in [0.5, 2].
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randAway, variants, type BugSpec } from './tensor-utils.js';

const SIZE = 12;

export const TANH_BUGS: BugSpec[] = [
  {
    name: 'derivative-not-squared',
    description: 'The derivative is written 1 − y instead of 1 − y².',
    wrongTensors: ['input'],
  },
  {
    name: 'derivative-from-input',
    description: 'The derivative is computed as 1 − x² from the input instead of 1 − y² from the output.',
    wrongTensors: ['input'],
  },
  {
    name: 'derivative-sign-flipped',
    description: 'The derivative is written y² − 1 instead of 1 − y².',
    wrongTensors: ['input'],
  },
];

export class Tanh implements Layer {
  private readonly inputValues: number[];
  private cache: { x: Float64Array; y: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, TANH_BUGS);
    this.inputValues = randAway(createRng(6_001), SIZE, 0.5, 2);
  }

  sampleInput(): unknown {
    return pack('plain', this.dtype, this.inputValues, [SIZE]);
  }

  private store(values: Float64Array, template: unknown): unknown {
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(values) : values);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = x.map(Math.tanh);
    this.cache = { x, y, template: input };
    return this.store(y, input);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('tanh: backward before forward');
    const { x, y, template } = this.cache;
    const g = flatten(gradOutput);
    const dx = y.map((v, i) => {
      switch (this.bug) {
        case 'derivative-not-squared':
          return g[i] * (1 - v);
        case 'derivative-from-input':
          return g[i] * (1 - x[i] * x[i]);
        case 'derivative-sign-flipped':
          return g[i] * (v * v - 1);
        default:
          return g[i] * (1 - v * v);
      }
    });
    return this.store(dx, template);
  }
}

export const tanhEntry: ZooEntry = {
  name: 'tanh',
  make: (dtype) => new Tanh(dtype),
  bugs: variants((dtype, bug) => new Tanh(dtype, bug), TANH_BUGS),
};
