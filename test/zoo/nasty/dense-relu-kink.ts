/**
 * Nasty but correct: y = relu(x·Wᵀ + b) on a nested [2][4] batch, 3 units, with the pre-activation
 * exactly 0 for (sample 0, unit 1). All values are small dyadic fractions, so the zero is exact in
 * float64 and float32. Backward uses the subgradient 1 at 0 (valid).
 * The other pre-activations are at least 1/16 from 0, with unit 1 inactive in sample 1 and units 0
 * and 2 inactive in sample 0: every entry touching the kink then gets its gradient from the kink
 * alone, so the bugs below change entries to values outside the one-sided slopes whatever the
 * upstream gradient, and never merely to another valid subgradient.
 * Parameters in form (c): params [W (3×4), b (3)] with grads [dW, db] aligned, so the checker names
 * them `params[0]` and `params[1]`.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 2;
const IN = 4;
const OUT = 3;
/** Required sign of each pre-activation [sample][unit]: 0 = exactly on the kink. */
const PATTERN = [
  [-1, 0, -1],
  [1, -1, 1],
];

const BUGS: BugSpec[] = [
  {
    name: 'kink-subgradient-2',
    description: 'At a zero pre-activation the ReLU derivative is taken as 2, outside the subdifferential [0, 1].',
    wrongTensors: ['params[0]', 'params[1]', 'input'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'The bias gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['params[1]'],
  },
];

/** A nonzero multiple of 1/den in [−1, 1]. */
function dyadic(next: () => number, den: number): number {
  for (;;) {
    const v = Math.round((2 * next() - 1) * den) / den;
    if (v !== 0) return v;
  }
}

export class DenseReluAtKinks implements Layer {
  readonly params: NumericContainer[];
  readonly grads: NumericContainer[];
  private readonly inputValues: number[];
  private cache: { x: Float64Array; z: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    // Draw (seeds in order) until the pre-activations follow PATTERN, off-kink ones by ≥ 1/16.
    let found: { w: number[]; b: number[]; x: number[] } | null = null;
    for (let seed = 30_303; found === null; seed++) {
      const rng = createRng(seed);
      const next = (): number => rng.next();
      const w = Array.from({ length: OUT * IN }, () => dyadic(next, 8));
      const x = Array.from({ length: N * IN }, () => dyadic(next, 4));
      const b = Array.from({ length: OUT }, () => dyadic(next, 8));
      let dot = 0;
      for (let k = 0; k < IN; k++) dot += w[1 * IN + k] * x[0 * IN + k];
      b[1] = -dot;
      const z = DenseReluAtKinks.preactivation(Float64Array.from(x), Float64Array.from(w), Float64Array.from(b));
      const ok = z.every((v, i) => {
        const sign = PATTERN[Math.floor(i / OUT)][i % OUT];
        return sign === 0 ? v === 0 : Math.sign(v) === sign && Math.abs(v) >= 1 / 16;
      });
      if (ok) found = { w, b, x };
    }
    this.params = [flatStore(dtype, found.w), flatStore(dtype, found.b)];
    this.grads = [flatStore(dtype, new Float64Array(OUT * IN)), flatStore(dtype, new Float64Array(OUT))];
    this.inputValues = found.x;
  }

  private static preactivation(x: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
    const z = new Float64Array(N * OUT);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        let sum = b[j];
        for (let k = 0; k < IN; k++) sum += w[j * IN + k] * x[n * IN + k];
        z[n * OUT + j] = sum;
      }
    }
    return z;
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const z = DenseReluAtKinks.preactivation(x, flatten(this.params[0]), flatten(this.params[1]));
    this.cache = { x, z };
    return pack('nested', this.dtype, z.map((v) => Math.max(0, v)), [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('dense-relu: backward before forward');
    const { x, z } = this.cache;
    const g = flatten(gradOutput);
    const w = flatten(this.params[0]);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const pre = z[n * OUT + j];
        // Subgradient 1 at the kink (pre === 0), as in `pre >= 0 ? g : 0`.
        const slope = pre > 0 ? 1 : pre < 0 ? 0 : this.bug === 'kink-subgradient-2' ? 2 : 1;
        const dz = slope * g[n * OUT + j];
        if (!(this.bug === 'bias-grad-first-sample-only' && n > 0)) db[j] += dz;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += dz * x[n * IN + k];
          dx[n * IN + k] += dz * w[j * IN + k];
        }
      }
    }
    writeInto(this.grads[0], dW);
    writeInto(this.grads[1], db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

export const denseReluKinkEntry: ZooEntry = {
  name: 'dense-relu-at-kinks',
  nasty: true,
  make: (dtype) => new DenseReluAtKinks(dtype),
  bugs: variants((dtype, bug) => new DenseReluAtKinks(dtype, bug), BUGS),
};
