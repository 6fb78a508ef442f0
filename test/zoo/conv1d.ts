/**
 * 1-D convolution (cross-correlation, 'valid' padding, stride 1) with bias, multi-channel:
 *   y[co][t] = b[co] + Σ_ci Σ_k W[co][ci][k]·x[ci][t + k],   k = 0..K−1, K = 3.
 *
 * Protocol form (b): `params: { W, b }` record with `grads: { W, b }` under the same keys.
 * W is tensor-like `{ data, shape: [Cout, Cin, K] }`, b a flat `Float64Array` (`Float32Array`
 * in float32). backward assigns a NEW `grads` object with NEW arrays every time (no accumulation).
 * Input: nested `[Cin][L]` (`number[][]`, `Float32Array` rows in float32); output: tensor-like
 * `{ data, shape: [Cout, Lout] }`; backward returns the input gradient in the input's form.
 * Sizes: Cin 2, L 7, Cout 3, K 3, Lout 5 (21 parameters).
 */
import type { FlatNumbers, Layer, TensorLike } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randn, variants, zeros, type BugSpec } from './tensor-utils.js';

const C_IN = 2;
const LENGTH = 7;
const C_OUT = 3;
const K = 3;

const BUGS: BugSpec[] = [
  {
    name: 'input-grad-kernel-flipped',
    description: 'The input gradient uses the flipped kernel W[co][ci][K−1−k] (true convolution vs cross-correlation mix-up).',
    wrongTensors: ['input'],
  },
  {
    name: 'weight-grad-taps-reversed',
    description: 'dW accumulates tap k into dW[co][ci][K−1−k]; only the middle tap stays right.',
    wrongTensors: ['W'],
  },
  {
    name: 'bias-grad-first-position-only',
    description: 'db[co] takes g[co][0] instead of summing the upstream gradient over all output positions.',
    wrongTensors: ['b'],
  },
  {
    name: 'input-grad-edges-left-zero',
    description:
      "The input gradient is only computed where the kernel fully overlaps (positions K−1..L−K, the forward's 'valid' range); the edge positions stay 0.",
    wrongTensors: ['input'],
  },
];

export class Conv1d implements Layer {
  readonly params: { W: TensorLike; b: FlatNumbers };
  grads: { W: TensorLike; b: FlatNumbers };
  private readonly inputValues: number[];
  private cache: { x: Float64Array; length: number; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(10_001);
    this.params = {
      W: pack('tensor', dtype, randn(rng, C_OUT * C_IN * K, 0.5), [C_OUT, C_IN, K]) as TensorLike,
      b: pack('typed', dtype, randn(rng, C_OUT, 0.3), [C_OUT]) as FlatNumbers,
    };
    this.grads = {
      W: { data: zeros(dtype, C_OUT * C_IN * K), shape: [C_OUT, C_IN, K] },
      b: zeros(dtype, C_OUT),
    };
    this.inputValues = randn(createRng(10_002), C_IN * LENGTH);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [C_IN, LENGTH]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    if (x.length % C_IN !== 0) throw new Error(`conv1d: ${x.length} entries are not ${C_IN} channels`);
    const length = x.length / C_IN;
    const outLength = length - K + 1;
    this.cache = { x, length, template: input };
    const w = flatten(this.params.W);
    const b = flatten(this.params.b);
    const y = new Float64Array(C_OUT * outLength);
    for (let co = 0; co < C_OUT; co++) {
      for (let t = 0; t < outLength; t++) {
        let sum = b[co];
        for (let ci = 0; ci < C_IN; ci++) {
          for (let k = 0; k < K; k++) sum += w[(co * C_IN + ci) * K + k] * x[ci * length + t + k];
        }
        y[co * outLength + t] = sum;
      }
    }
    return pack('tensor', this.dtype, y, [C_OUT, outLength]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('conv1d: backward before forward');
    const { x, length, template } = this.cache;
    const outLength = length - K + 1;
    const g = flatten(gradOutput);
    const w = flatten(this.params.W);
    const dW = new Float64Array(C_OUT * C_IN * K);
    const db = new Float64Array(C_OUT);
    const dx = new Float64Array(C_IN * length);
    for (let co = 0; co < C_OUT; co++) {
      for (let t = 0; t < outLength; t++) {
        const go = g[co * outLength + t];
        if (this.bug !== 'bias-grad-first-position-only' || t === 0) db[co] += go;
        for (let ci = 0; ci < C_IN; ci++) {
          for (let k = 0; k < K; k++) {
            const tap = this.bug === 'weight-grad-taps-reversed' ? K - 1 - k : k;
            dW[(co * C_IN + ci) * K + tap] += go * x[ci * length + t + k];
            const p = t + k;
            if (this.bug !== 'input-grad-edges-left-zero' || (p >= K - 1 && p <= length - K)) {
              const kw = this.bug === 'input-grad-kernel-flipped' ? K - 1 - k : k;
              dx[ci * length + p] += go * w[(co * C_IN + ci) * K + kw];
            }
          }
        }
      }
    }
    // New arrays every backward: the old grads object is dropped, not accumulated into.
    this.grads = {
      W: pack('tensor', this.dtype, dW, [C_OUT, C_IN, K]) as TensorLike,
      b: pack('typed', this.dtype, db, [C_OUT]) as FlatNumbers,
    };
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(dx) : dx);
  }
}

export const conv1dEntry: ZooEntry = {
  name: 'conv1d',
  make: (dtype) => new Conv1d(dtype),
  bugs: variants((dtype, bug) => new Conv1d(dtype, bug), BUGS),
};
