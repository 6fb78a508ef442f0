/**
 * Logistic sigmoid, elementwise: y = 1 / (1 + e^(−x)), dy/dx = y·(1 − y).
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Form-generic: the output (and the input gradient) have the input's form. The zoo sample input
 * is tensor-like `{ data, shape: [3, 4] }` with x ~ N(0, 1.5²).
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randn, variants, type BugSpec } from './tensor-utils.js';

const ROWS = 3;
const COLS = 4;

const sigma = (z: number): number => 1 / (1 + Math.exp(-z));
/** σ'(z) as a function of the PRE-activation z. */
const sigmaPrime = (z: number): number => sigma(z) * (1 - sigma(z));

const BUGS: BugSpec[] = [
  {
    name: 'derivative-from-input',
    description: 'The derivative is computed as x·(1 − x) from the input instead of y·(1 − y) from the output.',
    wrongTensors: ['input'],
  },
  {
    name: 'sigmoid-prime-of-output',
    description: 'sigmoidPrime(z) = σ(z)(1 − σ(z)) is called on the cached output y instead of the input x.',
    wrongTensors: ['input'],
  },
  {
    name: 'missing-one-minus-y',
    description: 'The derivative is written y instead of y·(1 − y).',
    wrongTensors: ['input'],
  },
];

export class Sigmoid implements Layer {
  private readonly inputValues: number[];
  private cache: { x: Float64Array; y: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randn(createRng(5_003), ROWS * COLS, 1.5);
  }

  sampleInput(): unknown {
    return pack('tensor', this.dtype, this.inputValues, [ROWS, COLS]);
  }

  private store(values: Float64Array, template: unknown): unknown {
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(values) : values);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = x.map(sigma);
    this.cache = { x, y, template: input };
    return this.store(y, input);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('sigmoid: backward before forward');
    const { x, y, template } = this.cache;
    const g = flatten(gradOutput);
    const dx = y.map((v, i) => {
      switch (this.bug) {
        case 'derivative-from-input':
          return g[i] * x[i] * (1 - x[i]);
        case 'sigmoid-prime-of-output':
          return g[i] * sigmaPrime(v);
        case 'missing-one-minus-y':
          return g[i] * v;
        default:
          return g[i] * v * (1 - v);
      }
    });
    return this.store(dx, template);
  }
}

export const sigmoidEntry: ZooEntry = {
  name: 'sigmoid',
  make: (dtype) => new Sigmoid(dtype),
  bugs: variants((dtype, bug) => new Sigmoid(dtype, bug), BUGS),
};
