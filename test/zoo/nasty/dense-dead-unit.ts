/**
 * Nasty but correct: y = relu(x·Wᵀ + b) on a nested [4][3] batch with 4 units, where
 * - unit 0 is active for every sample;
 * - unit 1 is dead: its pre-activation is ≤ −1.5 for every sample, so its whole W row and its b
 *   entry have gradient exactly 0 (and the finite difference of them is exactly 0 too);
 * - units 2 and 3 are active for some samples and below zero for the others.
 * No pre-activation lies within 0.5 of the kink, and the dead unit stays 1.5 below it, so neither
 * the base step nor the checker's widest step (64× the base, ≈ 0.3·max(1, |θ|) in float32) moves
 * any unit across it.
 * Parameters in form (c): params [W (4×3), b (4)] with grads [dW, db] aligned, so the checker names
 * them `params[0]` and `params[1]`.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, matmulRowsByTransposed, pack, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 4;
const IN = 3;
const OUT = 4;
const ALIVE = 0;
const DEAD = 1;
const DEAD_BIAS = -2.5;
/** Every live pre-activation is at least this far from 0. */
const KINK_MARGIN = 0.5;
/** The dead unit's pre-activation is at most −DEAD_MARGIN for every sample. */
const DEAD_MARGIN = 1.5;

const BUGS: BugSpec[] = [
  {
    name: 'relu-mask-from-output',
    description: 'The ReLU mask is computed as y ≥ 0 on the output, which is always true: the gradient flows through inactive and dead units.',
    wrongTensors: ['params[0]', 'params[1]', 'input'],
  },
  {
    name: 'bias-grad-sign-flipped',
    description: 'The bias gradient has the wrong sign (db −= dz).',
    wrongTensors: ['params[1]'],
  },
  {
    name: 'input-grad-unmasked',
    description: 'The input gradient is g·W, skipping the ReLU mask that the parameter gradients apply.',
    wrongTensors: ['input'],
  },
];

function preactivation(x: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
  const z = matmulRowsByTransposed(x, w, N, IN, OUT);
  for (let i = 0; i < z.length; i++) z[i] += b[i % OUT];
  return z;
}

/** Unit 0 always on, unit 1 dead, units 2 and 3 mixed; every entry clear of the kink. */
function followsPattern(z: Float64Array): boolean {
  for (let j = 0; j < OUT; j++) {
    let active = 0;
    for (let n = 0; n < N; n++) {
      const v = z[n * OUT + j];
      if (j === DEAD ? v > -DEAD_MARGIN : Math.abs(v) < KINK_MARGIN) return false;
      if (v > 0) active++;
    }
    if (j === ALIVE && active !== N) return false;
    if (j !== ALIVE && j !== DEAD && (active === 0 || active === N)) return false;
  }
  return true;
}

export class DenseDeadUnit implements Layer {
  readonly params: NumericContainer[];
  readonly grads: NumericContainer[];
  private readonly inputValues: number[];
  private cache: { x: Float64Array; z: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    // Draw (seeds in order) until the pre-activations follow the pattern, in float32 storage too.
    let found: { w: number[]; b: number[]; x: number[] } | null = null;
    for (let seed = 31_201; found === null; seed++) {
      const rng = createRng(seed);
      const w = randn(rng, OUT * IN, 0.7);
      const b = randn(rng, OUT, 0.3);
      b[ALIVE] += 1.5;
      b[DEAD] = DEAD_BIAS;
      const x = randn(rng, N * IN);
      const holds = (round: (v: number) => number): boolean =>
        followsPattern(preactivation(Float64Array.from(x, round), Float64Array.from(w, round), Float64Array.from(b, round)));
      if (holds((v) => v) && holds(Math.fround)) found = { w, b, x };
    }
    this.params = [pack('nested', dtype, found.w, [OUT, IN]), flatStore(dtype, found.b)];
    this.grads = [pack('nested', dtype, new Float64Array(OUT * IN), [OUT, IN]), flatStore(dtype, new Float64Array(OUT))];
    this.inputValues = found.x;
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const z = preactivation(x, flatten(this.params[0]), flatten(this.params[1]));
    this.cache = { x, z };
    return pack('nested', this.dtype, z.map((v) => Math.max(0, v)), [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('dense-dead-unit: backward before forward');
    const { x, z } = this.cache;
    const g = flatten(gradOutput);
    const w = flatten(this.params[0]);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const i = n * OUT + j;
        // relu(z) ≥ 0 everywhere, so a mask read off the output lets everything through.
        const open = this.bug === 'relu-mask-from-output' ? Math.max(0, z[i]) >= 0 : z[i] > 0;
        const dz = open ? g[i] : 0;
        db[j] += this.bug === 'bias-grad-sign-flipped' ? -dz : dz;
        const dzToInput = this.bug === 'input-grad-unmasked' ? g[i] : dz;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += dz * x[n * IN + k];
          dx[n * IN + k] += dzToInput * w[j * IN + k];
        }
      }
    }
    writeInto(this.grads[0], dW);
    writeInto(this.grads[1], db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

export const denseDeadUnitEntry: ZooEntry = {
  name: 'dense-dead-unit',
  nasty: true,
  make: (dtype) => new DenseDeadUnit(dtype),
  bugs: variants((dtype, bug) => new DenseDeadUnit(dtype, bug), BUGS),
};
