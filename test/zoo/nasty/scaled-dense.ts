/**
 * Nasty but correct: a dense layer y = x·Wᵀ + b (nested [2][4] → [2][3]) whose parameters have an
 * extreme magnitude, so a fixed absolute step or a fixed absolute tolerance goes wrong:
 * - `dense-params-1e3`: W and b of magnitude ~1e3, parameters in form (a) records { name, value, grad };
 * - `dense-params-1e-6`: W and b of magnitude ~1e-6, parameters in form (b) { W, b } with grads { W, b }.
 */
import type { Layer, NumericContainer, ParamRecord } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randAway, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 2;
const IN = 4;
const OUT = 3;

const LARGE_BUGS: BugSpec[] = [
  {
    name: 'weight-grad-times-2',
    description: 'The weight gradient is doubled (e.g. a stray factor 2 from a squared-norm derivation).',
    wrongTensors: ['W'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'The bias gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['b'],
  },
];

const TINY_BUGS: BugSpec[] = [
  {
    name: 'weight-grad-sign-flipped',
    description: 'The weight gradient has the wrong sign.',
    wrongTensors: ['W'],
  },
  {
    name: 'bias-grad-halved',
    description: 'The bias gradient is multiplied by ½.',
    wrongTensors: ['b'],
  },
  {
    name: 'input-grad-times-2',
    description: 'The input gradient is doubled.',
    wrongTensors: ['input'],
  },
];

export interface ScaledDenseOptions {
  /** Magnitude of the parameters. */
  scale: number;
  /** Parameter form: (a) records or (b) keyed. */
  form: 'records' | 'keyed';
  seed: number;
  bug?: string;
}

type Store = Float64Array | Float32Array | number[];

export class ScaledDense implements Layer {
  readonly params: ParamRecord[] | Record<string, NumericContainer>;
  readonly grads?: Record<string, NumericContainer>;
  private readonly W: Store;
  private readonly b: Store;
  private readonly dW: Store;
  private readonly db: Store;
  private readonly inputValues: number[];
  private readonly bug: string | undefined;
  private x: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    options: ScaledDenseOptions,
  ) {
    checkBug(options.bug, [...LARGE_BUGS, ...TINY_BUGS]);
    this.bug = options.bug;
    const rng = createRng(options.seed);
    this.W = flatStore(dtype, randAway(rng, OUT * IN, 0.2, 1.5).map((v) => v * options.scale));
    this.b = flatStore(dtype, randAway(rng, OUT, 0.2, 1.5).map((v) => v * options.scale), true);
    this.dW = flatStore(dtype, new Float64Array(OUT * IN));
    this.db = flatStore(dtype, new Float64Array(OUT), true);
    if (options.form === 'records') {
      this.params = [
        { name: 'W', value: this.W, grad: this.dW, shape: [OUT, IN] },
        { name: 'b', value: this.b, grad: this.db },
      ];
    } else {
      this.params = { W: this.W, b: this.b };
      this.grads = { W: this.dW, b: this.db };
    }
    this.inputValues = randn(rng, N * IN);
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    const y = new Float64Array(N * OUT);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        let sum = this.b[j];
        for (let k = 0; k < IN; k++) sum += this.W[j * IN + k] * x[n * IN + k];
        y[n * OUT + j] = sum;
      }
    }
    return pack('nested', this.dtype, y, [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('dense: backward before forward');
    const x = this.x;
    const g = flatten(gradOutput);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    const weightFactor = this.bug === 'weight-grad-times-2' ? 2 : this.bug === 'weight-grad-sign-flipped' ? -1 : 1;
    const biasFactor = this.bug === 'bias-grad-halved' ? 0.5 : 1;
    const inputFactor = this.bug === 'input-grad-times-2' ? 2 : 1;
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const go = g[n * OUT + j];
        if (!(this.bug === 'bias-grad-first-sample-only' && n > 0)) db[j] += biasFactor * go;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += weightFactor * go * x[n * IN + k];
          dx[n * IN + k] += inputFactor * go * this.W[j * IN + k];
        }
      }
    }
    writeInto(this.dW, dW);
    writeInto(this.db, db);
    return pack('nested', this.dtype, dx, [N, IN]);
  }
}

const LARGE = { scale: 1e3, form: 'records', seed: 30_404 } as const;
const TINY = { scale: 1e-6, form: 'keyed', seed: 30_505 } as const;

export const denseLargeParamsEntry: ZooEntry = {
  name: 'dense-params-1e3',
  nasty: true,
  make: (dtype) => new ScaledDense(dtype, LARGE),
  bugs: variants((dtype, bug) => new ScaledDense(dtype, { ...LARGE, bug }), LARGE_BUGS),
};

export const denseTinyParamsEntry: ZooEntry = {
  name: 'dense-params-1e-6',
  nasty: true,
  make: (dtype) => new ScaledDense(dtype, TINY),
  bugs: variants((dtype, bug) => new ScaledDense(dtype, { ...TINY, bug }), TINY_BUGS),
};
