/**
 * A dense → tanh → dense network whose sizes, weight scales and dtype come from a seed, for
 * property tests: any correct configuration must pass, and corrupting one gradient entry by a
 * relative `factor` must be caught at exactly that entry.
 */
import { createRng } from '../../../src/engine/rng.js';

export interface RandomNetworkConfig {
  seed: number;
  float32: boolean;
  /** Corrupt one entry of one gradient: grads[tensor][index] *= factor after backward. */
  corrupt?: { tensor: TensorName; index: number; factor: number };
}



type Storage = Float64Array | Float32Array;
export type TensorName = 'W1' | 'b1' | 'W2' | 'b2';

export class RandomNetwork {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
  readonly scale: number;
  readonly params: Record<TensorName, Storage>;
  readonly grads: Record<TensorName, Storage>;
  private readonly inputValues: Storage;
  private cache: { x: Float64Array; h: Float64Array } | null = null;

  constructor(readonly config: RandomNetworkConfig) {
    const rng = createRng(config.seed);
    const Store = config.float32 ? Float32Array : Float64Array;
    const size = (low: number, high: number): number => low + Math.floor(rng.next() * (high - low + 1));
    this.batch = size(1, 4);
    this.inputs = size(1, 6);
    this.hidden = size(1, 6);
    this.outputs = size(1, 4);
    // Weight magnitudes from 1e-3 to 1e3, inputs of order 1: the step must adapt to each.
    this.scale = 10 ** rng.uniform(-3, 3);
    // Keep tanh out of deep saturation so every gradient entry carries signal.
    const hiddenScale = 1 / Math.max(1, this.scale * Math.sqrt(this.inputs));
    const fill = (n: number, s: number): Storage => Store.from(Array.from({ length: n }, () => s * rng.normal()));
    this.params = {
      W1: fill(this.hidden * this.inputs, this.scale * hiddenScale),
      b1: fill(this.hidden, 0.1),
      W2: fill(this.outputs * this.hidden, this.scale),
      b2: fill(this.outputs, this.scale),
    };
    this.grads = {
      W1: new Store(this.hidden * this.inputs),
      b1: new Store(this.hidden),
      W2: new Store(this.outputs * this.hidden),
      b2: new Store(this.outputs),
    };
    this.inputValues = fill(this.batch * this.inputs, 1);
  }

  /**
   * The same network in float64, holding exactly the float32 weights and input: its analytic
   * gradient is the reference the float32 finite differences must approach within their estimate.
   */
  float64Twin(): RandomNetwork {
    const twin = new RandomNetwork({ seed: this.config.seed, float32: false });
    for (const name of Object.keys(this.params) as TensorName[]) twin.params[name].set(this.params[name]);
    twin.inputValues.set(this.inputValues);
    return twin;
  }

  sampleInput(): Storage {
    return this.inputValues.slice();
  }

  forward(input: Storage): Storage {
    const { W1, b1, W2, b2 } = this.params;
    const x = Float64Array.from(input);
    const h = new Float64Array(this.batch * this.hidden);
    const y = new (this.config.float32 ? Float32Array : Float64Array)(this.batch * this.outputs);
    for (let n = 0; n < this.batch; n++) {
      for (let j = 0; j < this.hidden; j++) {
        let z = b1[j];
        for (let i = 0; i < this.inputs; i++) z += W1[j * this.inputs + i] * x[n * this.inputs + i];
        h[n * this.hidden + j] = Math.tanh(z);
      }
      for (let o = 0; o < this.outputs; o++) {
        let sum = b2[o];
        for (let j = 0; j < this.hidden; j++) sum += W2[o * this.hidden + j] * h[n * this.hidden + j];
        y[n * this.outputs + o] = sum;
      }
    }
    this.cache = { x, h };
    return y;
  }

  backward(grad: Storage): Storage {
    if (this.cache === null) throw new Error('backward before forward');
    const { x, h } = this.cache;
    const { W1, W2 } = this.params;
    const g = this.grads;
    const dx = new (this.config.float32 ? Float32Array : Float64Array)(this.batch * this.inputs);
    for (let n = 0; n < this.batch; n++) {
      const dh = new Float64Array(this.hidden);
      for (let o = 0; o < this.outputs; o++) {
        const dy = grad[n * this.outputs + o];
        g.b2[o] += dy;
        for (let j = 0; j < this.hidden; j++) {
          g.W2[o * this.hidden + j] += dy * h[n * this.hidden + j];
          dh[j] += dy * W2[o * this.hidden + j];
        }
      }
      for (let j = 0; j < this.hidden; j++) {
        const dz = dh[j] * (1 - h[n * this.hidden + j] ** 2);
        g.b1[j] += dz;
        for (let i = 0; i < this.inputs; i++) {
          g.W1[j * this.inputs + i] += dz * x[n * this.inputs + i];
          dx[n * this.inputs + i] += dz * W1[j * this.inputs + i];
        }
      }
    }
    const { corrupt } = this.config;
    if (corrupt !== undefined) g[corrupt.tensor][corrupt.index] *= corrupt.factor;
    return dx;
  }
}
