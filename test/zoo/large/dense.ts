/**
 * Dense layers large enough to need projection: y = W·x + b over a batch, typed storage, with
 * wrong gradient entries planted at exact indices. Shared by the mode tests and the benchmarks.
 */
import { createRng } from '../tensor-utils.js';

export interface LargeDenseOptions {
  inSize: number;
  outSize: number;
  batch?: number;
  float32?: boolean;
  seed?: number;
  /** Wrong entries of the weight gradient: flat index → factor applied to its analytic value. */
  plantedWeightErrors?: ReadonlyMap<number, number>;
  /** Multiply the whole weight gradient (a layer whose whole weight gradient is wrong). */
  weightGradientFactor?: number;
  /** One output unit scaled by a gain (correctly, in forward and backward): its weight row's gradients are that much larger than the rest. */
  outputGain?: { unit: number; gain: number };
}

type Storage = Float64Array | Float32Array;

export class LargeDense {
  readonly W: Storage;
  readonly b: Storage;
  readonly dW: Storage;
  readonly db: Storage;
  private x: Float64Array = new Float64Array(0);
  private readonly inputValues: Float64Array;
  readonly inSize: number;
  readonly outSize: number;
  readonly batch: number;
  private readonly planted: ReadonlyMap<number, number>;
  private readonly weightFactor: number;
  private readonly float32: boolean;
  private readonly gain: { unit: number; gain: number };

  constructor(options: LargeDenseOptions) {
    this.inSize = options.inSize;
    this.outSize = options.outSize;
    this.batch = options.batch ?? 1;
    this.float32 = options.float32 ?? false;
    this.planted = options.plantedWeightErrors ?? new Map();
    this.weightFactor = options.weightGradientFactor ?? 1;
    this.gain = options.outputGain ?? { unit: -1, gain: 1 };
    const Store = this.float32 ? Float32Array : Float64Array;
    const rng = createRng(options.seed ?? 2024);
    const scale = 1 / Math.sqrt(this.inSize);
    this.W = Store.from(Array.from({ length: this.outSize * this.inSize }, () => scale * rng.normal()));
    this.b = Store.from(Array.from({ length: this.outSize }, () => 0.1 * rng.normal()));
    this.dW = new Store(this.W.length);
    this.db = new Store(this.b.length);
    this.inputValues = Float64Array.from({ length: this.batch * this.inSize }, () => rng.normal());
  }

  get params(): Record<string, Storage> {
    return { W: this.W, b: this.b };
  }

  get grads(): Record<string, Storage> {
    return { W: this.dW, b: this.db };
  }

  get size(): number {
    return this.W.length + this.b.length;
  }

  sampleInput(): Storage {
    return this.float32 ? Float32Array.from(this.inputValues) : this.inputValues.slice();
  }

  forward(input: Storage): Storage {
    const { inSize, outSize, batch, W, b } = this;
    this.x = Float64Array.from(input);
    const y = new (this.float32 ? Float32Array : Float64Array)(batch * outSize);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outSize; o++) {
        let sum = b[o];
        const row = o * inSize;
        const column = n * inSize;
        for (let i = 0; i < inSize; i++) sum += W[row + i] * this.x[column + i];
        y[n * outSize + o] = o === this.gain.unit ? this.gain.gain * sum : sum;
      }
    }
    return y;
  }

  backward(g: Storage): Storage {
    const { inSize, outSize, batch, W } = this;
    const dx = new (this.float32 ? Float32Array : Float64Array)(batch * inSize);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < outSize; o++) {
        const upstream = o === this.gain.unit ? this.gain.gain * g[n * outSize + o] : g[n * outSize + o];
        this.db[o] += upstream;
        const row = o * inSize;
        const column = n * inSize;
        for (let i = 0; i < inSize; i++) {
          this.dW[row + i] += this.weightFactor * upstream * this.x[column + i];
          dx[column + i] += upstream * W[row + i];
        }
      }
    }
    // Planted errors act on the whole accumulated entry, after the sum: they scale one gradient value.
    for (const [index, factor] of this.planted) this.dW[index] *= factor;
    return dx;
  }
}
