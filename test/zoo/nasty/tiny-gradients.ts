/**
 * Nasty but correct: y = 1e-9·tanh(x·Wᵀ + b) on a nested [2][4] batch, 3 units, so every output and
 * every gradient is of size ~1e-9 (an absolute tolerance would pass anything).
 * Parameters in form (d) with lists: params() returns [W (3×4), b (3)] and grads() [dW, db],
 * named `params[0]` and `params[1]` by the checker.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 2;
const IN = 4;
const OUT = 3;
const OUTPUT_SCALE = 1e-9;

const BUGS: BugSpec[] = [
  {
    name: 'missing-output-scale-in-backward',
    description: 'Backward forgets the 1e-9 output scale: every gradient is 1e9 times too large.',
    wrongTensors: ['params[0]', 'params[1]', 'input'],
  },
  {
    name: 'tanh-derivative-from-preactivation',
    description: 'The tanh derivative is computed as 1 − z² from the pre-activation instead of 1 − tanh(z)².',
    wrongTensors: ['params[0]', 'params[1]', 'input'],
  },
  {
    name: 'bias-grad-times-2',
    description: 'The bias gradient is doubled.',
    wrongTensors: ['params[1]'],
  },
];

export class TinyOutputTanhDense implements Layer {
  private readonly W: NumericContainer;
  private readonly b: NumericContainer;
  private readonly dW: NumericContainer;
  private readonly db: NumericContainer;
  private readonly inputValues: number[];
  private cache: { x: Float64Array; z: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(30_606);
    this.W = pack('nested', dtype, randn(rng, OUT * IN, 0.6), [OUT, IN]);
    this.b = flatStore(dtype, randn(rng, OUT, 0.3));
    this.dW = pack('nested', dtype, new Float64Array(OUT * IN), [OUT, IN]);
    this.db = flatStore(dtype, new Float64Array(OUT));
    this.inputValues = randn(rng, N * IN);
  }

  params(): NumericContainer[] {
    return [this.W, this.b];
  }

  grads(): NumericContainer[] {
    return [this.dW, this.db];
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const w = flatten(this.W);
    const b = flatten(this.b);
    const z = new Float64Array(N * OUT);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        let sum = b[j];
        for (let k = 0; k < IN; k++) sum += w[j * IN + k] * x[n * IN + k];
        z[n * OUT + j] = sum;
      }
    }
    this.cache = { x, z };
    return pack('nested', this.dtype, z.map((v) => OUTPUT_SCALE * Math.tanh(v)), [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('tiny-tanh-dense: backward before forward');
    const { x, z } = this.cache;
    const g = flatten(gradOutput);
    const w = flatten(this.W);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    const scale = this.bug === 'missing-output-scale-in-backward' ? 1 : OUTPUT_SCALE;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const pre = z[n * OUT + j];
        const t = Math.tanh(pre);
        const slope = this.bug === 'tanh-derivative-from-preactivation' ? 1 - pre * pre : 1 - t * t;
        const dz = g[n * OUT + j] * scale * slope;
        db[j] += this.bug === 'bias-grad-times-2' ? 2 * dz : dz;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += dz * x[n * IN + k];
          dx[n * IN + k] += dz * w[j * IN + k];
        }
      }
    }
    writeInto(this.dW, dW);
    writeInto(this.db, db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

export const tinyGradientsEntry: ZooEntry = {
  name: 'tiny-gradients-1e-9',
  nasty: true,
  make: (dtype) => new TinyOutputTanhDense(dtype),
  bugs: variants((dtype, bug) => new TinyOutputTanhDense(dtype, bug), BUGS),
};
