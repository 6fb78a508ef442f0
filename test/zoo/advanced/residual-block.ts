/**
 * Residual block y = x + relu(x·W1 + b1)·W2 + b2 on a nested [N=3][D=4] batch, hidden size 4.
 * Parameters in form (d): params() returns { W1, b1, W2, b2 } (W as { data, shape } tensors) and
 * grads() the gradients under the same keys. Pre-activations are kept ≥ 0.1 away from the ReLU kink.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randn, variants, writeInto, type BugSpec } from './util.js';

const N = 3;
const D = 4;
const HID = 4;

const BUGS: BugSpec[] = [
  {
    name: 'missing-skip-gradient',
    description: 'The input gradient forgets the identity path of the skip connection (dx = branch gradient only).',
    wrongTensors: ['input'],
  },
  {
    name: 'relu-mask-ignored',
    description: 'The gradient passes through the ReLU unmasked, also where the pre-activation is negative.',
    wrongTensors: ['input', 'W1', 'b1'],
  },
  {
    name: 'W1-grad-transposed',
    description: 'The W1 gradient is stored transposed: (dz·xᵀ) instead of xᵀ·dz.',
    wrongTensors: ['W1'],
  },
  {
    name: 'W2-grad-uses-preactivation',
    description: 'The W2 gradient uses the pre-activation z instead of relu(z).',
    wrongTensors: ['W2'],
  },
  {
    name: 'b1-grad-divided-by-batch',
    description: 'The b1 gradient is averaged over the batch (÷ N) although the loss sums over it.',
    wrongTensors: ['b1'],
  },
  {
    name: 'b2-grad-first-sample-only',
    description: 'The b2 gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['b2'],
  },
];

interface Weights {
  W1: NumericContainer;
  b1: NumericContainer;
  W2: NumericContainer;
  b2: NumericContainer;
}

export class ResidualBlock implements Layer {
  private readonly weights: Weights;
  private readonly gradients: Weights;
  private readonly inputValues: number[];
  private cache: { x: Float64Array; z: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    // Draw (seeds in order) until every pre-activation is at least 0.1 from the kink and each hidden
    // unit is active for the whole batch or for none of it, with at least one unit of each kind: then
    // the ReLU-mask bugs change whole rows/columns from 0 to nonzero, whatever the upstream gradient.
    for (let seed = 20_909; ; seed++) {
      const rng = createRng(seed);
      const w1 = randn(rng, D * HID, 0.6);
      const b1 = randn(rng, HID, 1);
      const x = randn(rng, N * D);
      const z = this.preactivation(Float64Array.from(x), Float64Array.from(w1), Float64Array.from(b1));
      const unitSign = (h: number): number => {
        const signs = new Set(Array.from({ length: N }, (_, n) => Math.sign(z[n * HID + h])));
        return signs.size === 1 ? [...signs][0] : 0;
      };
      const signs = Array.from({ length: HID }, (_, h) => unitSign(h));
      if (z.every((v) => Math.abs(v) > 0.1) && signs.every((s) => s !== 0) && signs.includes(-1) && signs.filter((s) => s > 0).length >= 2) {
        this.weights = {
          W1: pack('tensor', dtype, w1, [D, HID]),
          b1: flatStore(dtype, b1),
          W2: pack('tensor', dtype, randn(rng, HID * D, 0.6), [HID, D]),
          b2: flatStore(dtype, randn(rng, D, 0.3), true),
        };
        this.inputValues = x;
        break;
      }
    }
    this.gradients = {
      W1: pack('tensor', dtype, new Float64Array(D * HID), [D, HID]),
      b1: flatStore(dtype, new Float64Array(HID)),
      W2: pack('tensor', dtype, new Float64Array(HID * D), [HID, D]),
      b2: flatStore(dtype, new Float64Array(D), true),
    };
  }

  params(): Record<string, NumericContainer> {
    return { ...this.weights };
  }

  grads(): Record<string, NumericContainer> {
    return { ...this.gradients };
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, D]);
  }

  private preactivation(x: Float64Array, w1: Float64Array, b1: Float64Array): Float64Array {
    const z = new Float64Array(N * HID);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < HID; h++) {
        let sum = b1[h];
        for (let d = 0; d < D; d++) sum += x[n * D + d] * w1[d * HID + h];
        z[n * HID + h] = sum;
      }
    }
    return z;
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const z = this.preactivation(x, flatten(this.weights.W1), flatten(this.weights.b1));
    const w2 = flatten(this.weights.W2);
    const b2 = flatten(this.weights.b2);
    const y = new Float64Array(N * D);
    for (let n = 0; n < N; n++) {
      for (let e = 0; e < D; e++) {
        let sum = x[n * D + e] + b2[e];
        for (let h = 0; h < HID; h++) sum += Math.max(0, z[n * HID + h]) * w2[h * D + e];
        y[n * D + e] = sum;
      }
    }
    this.cache = { x, z };
    return pack('nested', this.dtype, y, [N, D]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('residual-block: backward before forward');
    const { x, z } = this.cache;
    const g = flatten(gradOutput);
    const w1 = flatten(this.weights.W1);
    const w2 = flatten(this.weights.W2);
    const dW1 = new Float64Array(D * HID);
    const db1 = new Float64Array(HID);
    const dW2 = new Float64Array(HID * D);
    const db2 = new Float64Array(D);
    const dx = new Float64Array(N * D);
    const dz = new Float64Array(N * HID);
    for (let n = 0; n < N; n++) {
      for (let e = 0; e < D; e++) {
        if (!(this.bug === 'b2-grad-first-sample-only' && n > 0)) db2[e] += g[n * D + e];
        dx[n * D + e] = this.bug === 'missing-skip-gradient' ? 0 : g[n * D + e];
      }
      for (let h = 0; h < HID; h++) {
        const pre = z[n * HID + h];
        let da = 0;
        for (let e = 0; e < D; e++) {
          dW2[h * D + e] += (this.bug === 'W2-grad-uses-preactivation' ? pre : Math.max(0, pre)) * g[n * D + e];
          da += w2[h * D + e] * g[n * D + e];
        }
        dz[n * HID + h] = this.bug === 'relu-mask-ignored' || pre > 0 ? da : 0;
        db1[h] += dz[n * HID + h] / (this.bug === 'b1-grad-divided-by-batch' ? N : 1);
        for (let d = 0; d < D; d++) {
          dx[n * D + d] += w1[d * HID + h] * dz[n * HID + h];
        }
      }
    }
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < HID; h++) {
        let sum = 0;
        for (let n = 0; n < N; n++) sum += x[n * D + d] * dz[n * HID + h];
        // D = HID, so the transposed layout fits the same storage.
        if (this.bug === 'W1-grad-transposed') dW1[h * HID + d] = sum;
        else dW1[d * HID + h] = sum;
      }
    }
    writeInto(this.gradients.W1, dW1);
    writeInto(this.gradients.b1, db1);
    writeInto(this.gradients.W2, dW2);
    writeInto(this.gradients.b2, db2);
    return pack('nested', this.dtype, dx, [N, D]);
  }
}

export const residualBlockEntry: ZooEntry = {
  name: 'residual-block',
  make: (dtype) => new ResidualBlock(dtype),
  bugs: variants((dtype, bug) => new ResidualBlock(dtype, bug), BUGS),
};
