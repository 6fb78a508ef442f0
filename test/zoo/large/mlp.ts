/**
 * A two-layer perceptron sized for the benchmarks, composed of two LargeDense layers:
 * fc1 (inSize → hidden) → tanh → fc2 (hidden → outSize), over a batch, typed storage.
 * Parameters in form (b) under `fc1.W`, `fc1.b`, `fc2.W`, `fc2.b`, grads under the same keys.
 */
import { LargeDense } from './dense.js';

export interface LargeMlpOptions {
  inSize: number;
  hidden: number;
  outSize: number;
  batch?: number;
  seed?: number;
}

export class LargeMlp {
  readonly fc1: LargeDense;
  readonly fc2: LargeDense;
  private activation: Float64Array = new Float64Array(0);

  constructor(options: LargeMlpOptions) {
    const batch = options.batch ?? 1;
    const seed = options.seed ?? 2026;
    this.fc1 = new LargeDense({ inSize: options.inSize, outSize: options.hidden, batch, seed });
    this.fc2 = new LargeDense({ inSize: options.hidden, outSize: options.outSize, batch, seed: seed + 1 });
  }

  get params(): Record<string, Float64Array | Float32Array> {
    return { 'fc1.W': this.fc1.W, 'fc1.b': this.fc1.b, 'fc2.W': this.fc2.W, 'fc2.b': this.fc2.b };
  }

  get grads(): Record<string, Float64Array | Float32Array> {
    return { 'fc1.W': this.fc1.dW, 'fc1.b': this.fc1.db, 'fc2.W': this.fc2.dW, 'fc2.b': this.fc2.db };
  }

  get size(): number {
    return this.fc1.size + this.fc2.size;
  }

  sampleInput(): Float64Array | Float32Array {
    return this.fc1.sampleInput();
  }

  forward(input: Float64Array | Float32Array): Float64Array | Float32Array {
    const hidden = this.fc1.forward(input);
    this.activation = Float64Array.from(hidden, Math.tanh);
    return this.fc2.forward(this.activation);
  }

  backward(gradOutput: Float64Array | Float32Array): Float64Array | Float32Array {
    const gradActivation = this.fc2.backward(gradOutput);
    const gradHidden = new Float64Array(gradActivation.length);
    // tanh' = 1 − tanh², from the stored output.
    for (let i = 0; i < gradHidden.length; i++) gradHidden[i] = gradActivation[i] * (1 - this.activation[i] * this.activation[i]);
    return this.fc1.backward(gradHidden);
  }
}
