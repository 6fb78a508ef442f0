/**
 * Mean squared error against a fixed seeded target: L = (1/N)·Σ_k (x_k − t_k)², N = all entries;
 * dL/dx = g·2·(x − t)/N. forward returns a plain number (rounded to float32 in float32);
 * backward(g) scales by the upstream scalar g (the checker passes 1).
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Input: tensor-like `{ data, shape: [3, 4] }` predictions; the input gradient comes back in the
 * same form.
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randn, variants, type BugSpec } from './tensor-utils.js';

const BATCH = 3;
const FEATURES = 4;

const BUGS: BugSpec[] = [
  {
    name: 'missing-factor-2',
    description: 'The derivative of the square loses its factor 2: (x − t)/N.',
    wrongTensors: ['input'],
  },
  {
    name: 'sign-flipped',
    description: 'The residual is taken the wrong way round: 2·(t − x)/N.',
    wrongTensors: ['input'],
  },
  {
    name: 'divided-by-batch-not-count',
    description: 'The gradient is divided by the batch size instead of the number of entries the loss averages over.',
    wrongTensors: ['input'],
  },
];

export class Mse implements Layer {
  private readonly inputValues: number[];
  /** Targets, kept in the dtype's precision. */
  readonly target: Float64Array;
  private cache: { residual: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(9_001);
    this.inputValues = randn(rng, BATCH * FEATURES);
    const target = randn(rng, BATCH * FEATURES);
    this.target = Float64Array.from(dtype === 'float32' ? Float32Array.from(target) : target);
  }

  sampleInput(): unknown {
    return pack('tensor', this.dtype, this.inputValues, [BATCH, FEATURES]);
  }

  forward(input: unknown): number {
    const x = flatten(input);
    if (x.length !== this.target.length) throw new Error(`mse: ${x.length} predictions for ${this.target.length} targets`);
    const residual = x.map((v, k) => v - this.target[k]);
    this.cache = { residual, template: input };
    let loss = 0;
    for (const r of residual) loss += r * r;
    loss /= residual.length;
    return this.dtype === 'float32' ? Math.fround(loss) : loss;
  }

  backward(gradOutput: unknown = 1): unknown {
    if (this.cache === null) throw new Error('mse: backward before forward');
    const { residual, template } = this.cache;
    const g = typeof gradOutput === 'number' ? gradOutput : flatten(gradOutput)[0];
    const count = this.bug === 'divided-by-batch-not-count' ? BATCH : residual.length;
    const factor = this.bug === 'missing-factor-2' ? 1 : this.bug === 'sign-flipped' ? -2 : 2;
    const dx = residual.map((r) => (g * factor * r) / count);
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(dx) : dx);
  }
}

export const mseEntry: ZooEntry = {
  name: 'mse',
  make: (dtype) => new Mse(dtype),
  bugs: variants((dtype, bug) => new Mse(dtype, bug), BUGS),
};
