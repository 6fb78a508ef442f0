/**
 * GELU, tanh approximation (exactly this formula in forward and backward):
 *   gelu(x) = ½·x·(1 + tanh(u)),  u = √(2/π)·(x + 0.044715·x³)
 *   gelu'(x) = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
 * Elementwise on a flat input of 12 entries (`number[]` in float64), |x| in [1.1, 2]: away from
 * x ≈ −0.75 where the derivative vanishes, and where every buggy variant changes every entry by ≥ 3%
 * (the missing cubic term matters least near 0). No parameters.
 */
import { ElementwiseActivation } from './elementwise.js';
import type { Dtype, ZooEntry } from '../types.js';
import { createRng, randAway, variants, type BugSpec } from './util.js';

const SIZE = 12;
const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

const BUGS: BugSpec[] = [
  {
    name: 'inner-derivative-missing-cubic-term',
    description: 'du/dx is taken as √(2/π) instead of √(2/π)·(1 + 3·0.044715·x²).',
    wrongTensors: ['input'],
  },
  {
    name: 'second-term-missing-half',
    description: 'The product-rule term x·(1 − tanh² u)·du/dx loses its factor ½.',
    wrongTensors: ['input'],
  },
  {
    name: 'tanh-derivative-not-squared',
    description: "The tanh derivative is written 1 − tanh(u) instead of 1 − tanh(u)².",
    wrongTensors: ['input'],
  },
];

export class Gelu extends ElementwiseActivation {
  constructor(dtype: Dtype, bug?: string) {
    super('gelu', 'plain', dtype, bug, BUGS, randAway(createRng(20_707), SIZE, 1.1, 2));
  }

  protected value(x: number): number {
    return 0.5 * x * (1 + Math.tanh(C * (x + A * x * x * x)));
  }

  protected inputGradient(x: number, g: number): number {
    const t = Math.tanh(C * (x + A * x * x * x));
    const du = this.bug === 'inner-derivative-missing-cubic-term' ? C : C * (1 + 3 * A * x * x);
    const dt = this.bug === 'tanh-derivative-not-squared' ? 1 - t : 1 - t * t;
    const half = this.bug === 'second-term-missing-half' ? 1 : 0.5;
    return g * (0.5 * (1 + t) + half * x * dt * du);
  }
}

export const geluEntry: ZooEntry = {
  name: 'gelu-tanh',
  make: (dtype) => new Gelu(dtype),
  bugs: variants((dtype, bug) => new Gelu(dtype, bug), BUGS),
};
