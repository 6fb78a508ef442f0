/**
 * Batch normalization in training mode over a nested [N=4][F=3] batch: per-feature batch mean
 * and biased variance, x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β. The gradient flows through μ and σ².
 * Parameters in form (b): params { gamma, beta } with grads { gamma, beta }.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randAway, randn, variants, writeInto, type BugSpec } from './util.js';

const N = 4;
const F = 3;
const EPS = 1e-5;

const BUGS: BugSpec[] = [
  {
    name: 'missing-mean-term',
    description: 'The input gradient drops the −Σ dx̂ term that comes from the batch mean depending on x.',
    wrongTensors: ['input'],
  },
  {
    name: 'missing-variance-term',
    description: 'The input gradient drops the −x̂·Σ dx̂·x̂ term that comes from the batch variance depending on x.',
    wrongTensors: ['input'],
  },
  {
    name: 'batch-stats-treated-as-constants',
    description: 'The input gradient is γ·g/√(σ² + ε), as if mean and variance were constants (inference-mode formula).',
    wrongTensors: ['input'],
  },
  {
    name: 'input-grad-missing-gamma',
    description: 'The input gradient forgets to multiply the upstream gradient by γ (dx̂ = g).',
    wrongTensors: ['input'],
  },
  {
    name: 'gamma-grad-uses-x-not-xhat',
    description: 'The γ gradient sums g·x instead of g·x̂.',
    wrongTensors: ['gamma'],
  },
  {
    name: 'beta-grad-first-sample-only',
    description: 'The β gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['beta'],
  },
  {
    name: 'one-gamma-grad-entry-off-by-1e-4',
    description: 'One γ-gradient entry is 1e-4 relative too large.',
    wrongTensors: ['gamma'],
    float64Only: true,
  },
];

export class BatchNormTraining implements Layer {
  readonly params: Record<string, NumericContainer>;
  readonly grads: Record<string, NumericContainer>;
  private readonly gamma: Float64Array | Float32Array | number[];
  private readonly beta: Float64Array | Float32Array | number[];
  private readonly inputValues: number[];
  private cache: { x: Float64Array; xhat: Float64Array; invStd: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(20_404);
    // γ kept at least 0.2 away from 1 so that forgetting it is visible.
    this.gamma = flatStore(dtype, randAway(rng, F, 0.2, 0.6).map((d) => 1 + d));
    this.beta = flatStore(dtype, randn(rng, F, 0.5), true);
    this.params = { gamma: this.gamma, beta: this.beta };
    this.grads = { gamma: flatStore(dtype, new Array<number>(F).fill(0)), beta: flatStore(dtype, new Array<number>(F).fill(0), true) };
    // Feature f has its own offset and scale, so x and x̂ differ clearly.
    const offsets = [1.5, -0.8, 0.4];
    const scales = [0.7, 1.3, 2.0];
    this.inputValues = [];
    for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) this.inputValues.push(offsets[f] + scales[f] * rng.normal());
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, F]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const xhat = new Float64Array(N * F);
    const invStd = new Float64Array(F);
    const y = new Float64Array(N * F);
    for (let f = 0; f < F; f++) {
      let mean = 0;
      for (let n = 0; n < N; n++) mean += x[n * F + f];
      mean /= N;
      let variance = 0;
      for (let n = 0; n < N; n++) variance += (x[n * F + f] - mean) ** 2;
      variance /= N;
      invStd[f] = 1 / Math.sqrt(variance + EPS);
      for (let n = 0; n < N; n++) {
        xhat[n * F + f] = (x[n * F + f] - mean) * invStd[f];
        y[n * F + f] = this.gamma[f] * xhat[n * F + f] + this.beta[f];
      }
    }
    this.cache = { x, xhat, invStd };
    return pack('nested', this.dtype, y, [N, F]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('batch-norm: backward before forward');
    const { x, xhat, invStd } = this.cache;
    const g = flatten(gradOutput);
    const dgamma = new Float64Array(F);
    const dbeta = new Float64Array(F);
    const dx = new Float64Array(N * F);
    for (let f = 0; f < F; f++) {
      let sumG = 0;
      let sumGXhat = 0;
      let sumGX = 0;
      for (let n = 0; n < N; n++) {
        sumG += g[n * F + f];
        sumGXhat += g[n * F + f] * xhat[n * F + f];
        sumGX += g[n * F + f] * x[n * F + f];
      }
      dbeta[f] = this.bug === 'beta-grad-first-sample-only' ? g[f] : sumG;
      dgamma[f] = this.bug === 'gamma-grad-uses-x-not-xhat' ? sumGX : sumGXhat;
      const gamma = this.bug === 'input-grad-missing-gamma' ? 1 : this.gamma[f];
      // dx̂ = γ·g;  dx = (1/N)·invStd·(N·dx̂ − Σ dx̂ − x̂·Σ dx̂·x̂)
      const meanTerm = this.bug === 'missing-mean-term' || this.bug === 'batch-stats-treated-as-constants' ? 0 : gamma * sumG;
      const varianceTerm = this.bug === 'missing-variance-term' || this.bug === 'batch-stats-treated-as-constants' ? 0 : gamma * sumGXhat;
      for (let n = 0; n < N; n++) {
        const dxhat = gamma * g[n * F + f];
        dx[n * F + f] = (invStd[f] / N) * (N * dxhat - meanTerm - xhat[n * F + f] * varianceTerm);
      }
    }
    if (this.bug === 'one-gamma-grad-entry-off-by-1e-4') dgamma[1] *= 1 + 1e-4;
    writeInto(this.grads.gamma, dgamma);
    writeInto(this.grads.beta, dbeta);
    return pack('nested', this.dtype, dx, [N, F]);
  }
}

export const batchNormEntry: ZooEntry = {
  name: 'batch-norm-training',
  make: (dtype) => new BatchNormTraining(dtype),
  bugs: variants((dtype, bug) => new BatchNormTraining(dtype, bug), BUGS),
};
