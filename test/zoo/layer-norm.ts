/**
 * Layer normalization over the features of each sample, with learned gamma/beta:
 *   μ = mean(x_n), σ² = mean((x_n − μ)²), x̂ = (x_n − μ)/√(σ² + ε), y = γ·x̂ + β,   ε = 1e-5.
 * Backward: dβ = Σ_n g, dγ = Σ_n g·x̂, dx = (1/√(σ² + ε))·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = γ·g.
 *
 * Protocol form (c): `params: [gamma, beta]` with `grads: [dGamma, dBeta]` aligned lists, so the
 * checker names them `params[0]` (gamma) and `params[1]` (beta). Flat `Float64Array`s
 * (`Float32Array` in float32); gradients accumulated with `+=` into the existing arrays.
 * Input and output: flat `Float64Array` (`Float32Array` in float32) of batch·features entries,
 * row-major; the input gradient comes back in the same form. Sizes: batch 3, features 5
 * (10 parameters); inputs 1 + 2·N(0, 1), so rows have σ² well away from 1.
 */
import type { FlatNumbers, Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { addInto, checkBug, createRng, fillLike, flatten, pack, randn, variants, zeros, type BugSpec } from './tensor-utils.js';

const BATCH = 3;
const FEATURES = 5;
const EPS = 1e-5;
/** The ε a backward written against another helper's default would use. */
const MISMATCHED_EPS = 1e-3;

const GAMMA = 'params[0]';
const BETA = 'params[1]';

const BUGS: BugSpec[] = [
  {
    name: 'input-grad-missing-mean-term',
    description: 'The input gradient drops the −mean(ĝ) term (the path through μ).',
    wrongTensors: ['input'],
  },
  {
    name: 'input-grad-missing-variance-term',
    description: 'The input gradient drops the −x̂·mean(ĝ·x̂) term (the path through σ²).',
    wrongTensors: ['input'],
  },
  {
    name: 'gamma-grad-uses-centered-x',
    description: 'dγ multiplies g by x − μ instead of the normalized x̂.',
    wrongTensors: [GAMMA],
  },
  {
    name: 'beta-grad-first-row-only',
    description: 'dβ copies the first sample’s upstream gradient instead of summing over the batch.',
    wrongTensors: [BETA],
  },
  {
    name: 'backward-eps-mismatch',
    description: `backward recomputes 1/√(σ² + ε) with ε = ${MISMATCHED_EPS} while forward used ${EPS}: x̂ and the input gradient are off by ~1e-4 relative.`,
    wrongTensors: [GAMMA, 'input'],
    float64Only: true,
  },
];

export class LayerNorm implements Layer {
  readonly params: [FlatNumbers, FlatNumbers];
  readonly grads: [FlatNumbers, FlatNumbers];
  private readonly inputValues: number[];
  private cache: { x: Float64Array; mean: Float64Array; variance: Float64Array; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
    readonly features = FEATURES,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(11_001);
    const gamma = randn(rng, features, 0.3).map((v) => 1 + v);
    const beta = randn(rng, features, 0.2);
    this.params = [pack('typed', dtype, gamma, [features]) as FlatNumbers, pack('typed', dtype, beta, [features]) as FlatNumbers];
    this.grads = [zeros(dtype, features), zeros(dtype, features)];
    this.inputValues = randn(createRng(11_008), BATCH * features, 2).map((v) => 1 + v);
  }

  sampleInput(): unknown {
    return pack('typed', this.dtype, this.inputValues, [BATCH * this.features]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const F = this.features;
    if (x.length % F !== 0) throw new Error(`layer-norm: ${x.length} entries are not rows of ${F}`);
    const batch = x.length / F;
    const gamma = flatten(this.params[0]);
    const beta = flatten(this.params[1]);
    const mean = new Float64Array(batch);
    const variance = new Float64Array(batch);
    const y = new Float64Array(x.length);
    for (let n = 0; n < batch; n++) {
      let sum = 0;
      for (let f = 0; f < F; f++) sum += x[n * F + f];
      mean[n] = sum / F;
      let sq = 0;
      for (let f = 0; f < F; f++) sq += (x[n * F + f] - mean[n]) ** 2;
      variance[n] = sq / F;
      const rstd = 1 / Math.sqrt(variance[n] + EPS);
      for (let f = 0; f < F; f++) y[n * F + f] = gamma[f] * (x[n * F + f] - mean[n]) * rstd + beta[f];
    }
    this.cache = { x, mean, variance, template: input };
    return fillLike(input, this.dtype === 'float32' ? Float32Array.from(y) : y);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('layer-norm: backward before forward');
    const { x, mean, variance, template } = this.cache;
    const F = this.features;
    const batch = mean.length;
    const g = flatten(gradOutput);
    const gamma = flatten(this.params[0]);
    const eps = this.bug === 'backward-eps-mismatch' ? MISMATCHED_EPS : EPS;
    const dGamma = new Float64Array(F);
    const dBeta = new Float64Array(F);
    const dx = new Float64Array(x.length);
    for (let n = 0; n < batch; n++) {
      const rstd = 1 / Math.sqrt(variance[n] + eps);
      const xhat = new Float64Array(F);
      const gh = new Float64Array(F);
      let meanGh = 0;
      let meanGhXhat = 0;
      for (let f = 0; f < F; f++) {
        const k = n * F + f;
        const centered = x[k] - mean[n];
        xhat[f] = centered * rstd;
        if (this.bug !== 'beta-grad-first-row-only' || n === 0) dBeta[f] += g[k];
        dGamma[f] += g[k] * (this.bug === 'gamma-grad-uses-centered-x' ? centered : xhat[f]);
        gh[f] = g[k] * gamma[f];
        meanGh += gh[f] / F;
        meanGhXhat += (gh[f] * xhat[f]) / F;
      }
      if (this.bug === 'input-grad-missing-mean-term') meanGh = 0;
      if (this.bug === 'input-grad-missing-variance-term') meanGhXhat = 0;
      for (let f = 0; f < F; f++) dx[n * F + f] = rstd * (gh[f] - meanGh - xhat[f] * meanGhXhat);
    }
    addInto(this.grads[0], dGamma);
    addInto(this.grads[1], dBeta);
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(dx) : dx);
  }
}

export const layerNormEntry: ZooEntry = {
  name: 'layer-norm',
  make: (dtype) => new LayerNorm(dtype),
  bugs: variants((dtype, bug) => new LayerNorm(dtype, bug), BUGS),
};
