/**
 * The affine layer of the hostile zoo as an ordinary class: params and grads as getters in form (b),
 * typed storage, nested `number[][]` input and output (Float32Array rows in float32). Hostile
 * variants subclass it or wrap it.
 */
import { flatten } from '../tensor-utils.js';
import { affineBackward, affineForward, biases, inputs, rows, SMALL, weights, type AffineBug, type AffineSizes } from './affine.js';

export interface AffineOptions {
  bug?: AffineBug;
  float32?: boolean;
  sizes?: AffineSizes;
  /** Added to every output: a constant that only adds rounding to the loss. */
  outputOffset?: number;
}

type Storage = Float64Array | Float32Array;

export class AffineLayer {
  W: Storage;
  b: Storage;
  dW: Storage;
  db: Storage;
  x: Float64Array | null = null;
  readonly sizes: AffineSizes;
  readonly bug: AffineBug;
  readonly float32: boolean;
  readonly outputOffset: number;

  constructor(options: AffineOptions = {}) {
    this.sizes = options.sizes ?? SMALL;
    this.bug = options.bug ?? 'none';
    this.float32 = options.float32 ?? false;
    this.outputOffset = options.outputOffset ?? 0;
    const Store = this.float32 ? Float32Array : Float64Array;
    this.W = Store.from(weights(this.sizes));
    this.b = Store.from(biases(this.sizes));
    this.dW = new Store(this.W.length);
    this.db = new Store(this.b.length);
  }

  get params(): Record<string, Storage> {
    return { W: this.W, b: this.b };
  }

  get grads(): Record<string, Storage> {
    return { W: this.dW, b: this.db };
  }

  sampleInput(): unknown {
    return this.nested(inputs(this.sizes), this.sizes.inSize);
  }

  /** Nested rows in the layer's precision. */
  nested(flat: ArrayLike<number>, rowLength: number): unknown {
    const plain = rows(flat, rowLength);
    return this.float32 ? plain.map((row) => Float32Array.from(row)) : plain;
  }

  forward(input: unknown): unknown {
    this.x = flatten(input);
    const y = affineForward(this.W, this.b, this.x, this.sizes);
    if (this.outputOffset !== 0) y.forEach((v, k) => (y[k] = v + this.outputOffset));
    return this.nested(y, this.sizes.outSize);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('affine: backward before forward');
    const { dW, db, dx } = affineBackward(this.W, this.x, flatten(gradOutput), this.sizes, this.bug);
    dW.forEach((v, k) => (this.dW[k] += v));
    db.forEach((v, k) => (this.db[k] += v));
    return this.nested(dx, this.sizes.inSize);
  }
}
