/**
 * A dense layer written against TensorFlow.js the way a user would: y = x·K + b over a batch, with
 * the kernel K `[in, out]` and the bias b held in `tf.Variable`s, forward and backward built from
 * tfjs ops, and the results read back from the tensors.
 *
 * `TfjsDense` reads back with `await tensor.data()`, so its forward and backward return Promises
 * and the check runs through `checkGradientsAsync` / the awaited matcher. `TfjsDenseSync` is the
 * same layer (same weights, same ops, same input) reading back with `dataSync()`: its twin for the
 * plain `checkGradients`.
 *
 * Protocol form (b): `params = { W, b }`, `grads = { W, b }`, flat `Float32Array`s (W row-major
 * `[in][out]`). The checker perturbs `params` in place, so every forward first copies them into
 * the Variables: the Variables are the layer's working copy, the arrays its source of truth.
 * Input and output are `{ data: Float32Array, shape }` (batch 2, 3 inputs → 2 outputs); backward
 * overwrites `grads` and returns the input gradient in the same form.
 *
 * The backward pass is hand-written with tfjs ops (dK = xᵀ·g, db = Σₙ g, dx = g·Kᵀ) because
 * `tf.grad` has no gradients registered in Node (see backend.ts).
 *
 * The Variables live in #private fields, out of the checker's sight. The checker saves every
 * property reachable from the layer and puts it back afterwards. A tf.Variable's values sit in the
 * backend, behind its `dataId` handle, and `assign` swaps that handle and frees the old buffer. So
 * putting the old handle back leaves the Variable pointing at freed memory ("Cannot read properties
 * of undefined (reading 'backend')" on the next read) and orphans the buffer it pointed at: from
 * the second check on, 2 tensors leak per check. `exposeVariables: true` keeps them in a public field, as most tfjs code
 * does, to show it.
 */
import type { TensorLike } from '../../../src/layer/protocol.js';
import { tf } from './backend.js';

export const TFJS_DENSE_BUGS = {
  'weight-grad-times-2': 'dK is 2·xᵀ·g: a factor 2 left over from a squared-error derivation.',
  'bias-grad-first-sample': 'db is the upstream gradient of the first sample instead of its sum over the batch.',
} as const;

export type TfjsDenseBug = keyof typeof TFJS_DENSE_BUGS;

export interface TfjsDenseOptions {
  bug?: TfjsDenseBug;
  /** Also keep the Variables in the public field `variables` (reachable by the checker's state restore). */
  exposeVariables?: boolean;
}

/** What forward takes and returns: a batch of row vectors. */
export interface TfjsBatch {
  data: Float32Array;
  shape: [number, number];
}

export const TFJS_DENSE_IN = 3;
export const TFJS_DENSE_OUT = 2;
export const TFJS_DENSE_BATCH = 2;

// Fixed, distinct, not-round values: every entry of every gradient is non-zero and different.
const INITIAL_KERNEL = [0.4, -0.7, 1.3, 0.2, -0.5, 0.9]; // [in][out]
const INITIAL_BIAS = [0.1, -0.3];
const SAMPLE_INPUT = [0.5, -1.2, 0.8, 1.5, 0.3, -0.6]; // [batch][in]

interface Gradients {
  kernel: tf.Tensor;
  bias: tf.Tensor;
  input: tf.Tensor;
}

/** The tfjs computation, shared by the async layer and its sync twin; only the read-back differs. */
abstract class TfjsDenseBase {
  readonly params: { W: Float32Array; b: Float32Array };
  readonly grads: { W: Float32Array; b: Float32Array };
  readonly #kernel: tf.Variable<tf.Rank.R2>;
  readonly #bias: tf.Variable<tf.Rank.R1>;
  readonly bug: TfjsDenseBug | undefined;
  readonly variables?: { kernel: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> };
  /**
   * The last forward's input, copied for backward. Kept as an array rather than a kept tensor: the
   * checker puts every layer field back as it found it after a check, which would orphan a kept
   * tensor (nothing left would dispose it).
   */
  private lastInput: TfjsBatch | null = null;

  constructor(options: TfjsDenseOptions = {}) {
    if (options.bug !== undefined && !(options.bug in TFJS_DENSE_BUGS)) {
      throw new TypeError(`Unknown TfjsDense bug '${String(options.bug)}'. Known: ${Object.keys(TFJS_DENSE_BUGS).join(', ')}`);
    }
    this.bug = options.bug;
    this.params = { W: Float32Array.from(INITIAL_KERNEL), b: Float32Array.from(INITIAL_BIAS) };
    this.grads = { W: new Float32Array(INITIAL_KERNEL.length), b: new Float32Array(INITIAL_BIAS.length) };
    // tidy() frees the initial tensors; Variables are never tracked by a scope, so they survive it.
    this.#kernel = tf.tidy(() => tf.variable(tf.tensor2d(INITIAL_KERNEL, [TFJS_DENSE_IN, TFJS_DENSE_OUT])));
    this.#bias = tf.tidy(() => tf.variable(tf.tensor1d(INITIAL_BIAS)));
    if (options.exposeVariables === true) this.variables = { kernel: this.#kernel, bias: this.#bias };
  }

  sampleInput(): TfjsBatch {
    return { data: Float32Array.from(SAMPLE_INPUT), shape: [TFJS_DENSE_BATCH, TFJS_DENSE_IN] };
  }

  /** The Variables' current values (copies). */
  variableValues(): { kernel: Float32Array; bias: Float32Array } {
    return { kernel: this.#kernel.dataSync().slice() as Float32Array, bias: this.#bias.dataSync().slice() as Float32Array };
  }

  /** Frees the Variables (the tensors a layer keeps between calls). */
  dispose(): void {
    this.#kernel.dispose();
    this.#bias.dispose();
  }

  /** y = x·K + b, after copying `params` into the Variables. The caller disposes y. */
  protected forwardTensor(input: TensorLike): tf.Tensor2D {
    const shape = batchShape(input, TFJS_DENSE_IN, 'input');
    const x = Float32Array.from(input.data);
    this.lastInput = { data: x, shape };
    return tf.tidy(() => {
      // slice(): the CPU backend would keep a Float32Array it is given as the tensor's storage, so
      // without a copy the Variable would alias `params` and the sync below would prove nothing.
      this.#kernel.assign(tf.tensor2d(this.params.W.slice(), [TFJS_DENSE_IN, TFJS_DENSE_OUT]));
      this.#bias.assign(tf.tensor1d(this.params.b.slice()));
      return tf.add(tf.matMul(tf.tensor2d(x, shape), this.#kernel), this.#bias);
    });
  }

  /** dK = xᵀ·g, db = Σₙ g, dx = g·Kᵀ for the last forward. The caller disposes them. */
  protected backwardTensors(gradOutput: TensorLike): Gradients {
    if (this.lastInput === null) throw new Error('TfjsDense: backward() before forward()');
    const { data, shape } = this.lastInput;
    const gradShape = batchShape(gradOutput, TFJS_DENSE_OUT, 'gradOutput');
    return tf.tidy(() => {
      const x = tf.tensor2d(data, shape);
      // tfjs takes no Float64Array; the checker hands back the output's own form (Float32Array) anyway.
      const g = tf.tensor2d(Float32Array.from(gradOutput.data), gradShape);
      const kernel = tf.matMul(x, g, true, false);
      const bias =
        this.bug === 'bias-grad-first-sample' ? tf.reshape(tf.slice(g, [0, 0], [1, TFJS_DENSE_OUT]), [TFJS_DENSE_OUT]) : tf.sum(g, 0);
      return {
        kernel: this.bug === 'weight-grad-times-2' ? tf.mul(kernel, 2) : kernel,
        bias,
        input: tf.matMul(g, this.#kernel, false, true),
      };
    });
  }

  /** Overwrites `grads` (they are what the checker reads) and returns the input gradient. */
  protected store(kernel: Float32Array, bias: Float32Array, input: Float32Array): TfjsBatch {
    this.grads.W.set(kernel);
    this.grads.b.set(bias);
    return { data: input, shape: [...(this.lastInput as TfjsBatch).shape] };
  }
}

/** The layer as an async tfjs user writes it: every read-back awaited. */
export class TfjsDense extends TfjsDenseBase {
  async forward(input: TensorLike): Promise<TfjsBatch> {
    const y = this.forwardTensor(input);
    try {
      return { data: (await y.data()) as Float32Array, shape: [y.shape[0], y.shape[1]] };
    } finally {
      y.dispose();
    }
  }

  async backward(gradOutput: TensorLike): Promise<TfjsBatch> {
    const gradients = this.backwardTensors(gradOutput);
    try {
      const [kernel, bias, input] = await Promise.all([gradients.kernel.data(), gradients.bias.data(), gradients.input.data()]);
      return this.store(kernel as Float32Array, bias as Float32Array, input as Float32Array);
    } finally {
      tf.dispose([gradients.kernel, gradients.bias, gradients.input]);
    }
  }
}

/** The same layer reading back with `dataSync()`: a synchronous layer for `checkGradients`. */
export class TfjsDenseSync extends TfjsDenseBase {
  forward(input: TensorLike): TfjsBatch {
    const y = this.forwardTensor(input);
    try {
      return { data: y.dataSync() as Float32Array, shape: [y.shape[0], y.shape[1]] };
    } finally {
      y.dispose();
    }
  }

  backward(gradOutput: TensorLike): TfjsBatch {
    const gradients = this.backwardTensors(gradOutput);
    try {
      return this.store(
        gradients.kernel.dataSync() as Float32Array,
        gradients.bias.dataSync() as Float32Array,
        gradients.input.dataSync() as Float32Array,
      );
    } finally {
      tf.dispose([gradients.kernel, gradients.bias, gradients.input]);
    }
  }
}

function batchShape(value: TensorLike, width: number, what: string): [number, number] {
  const [rows, columns] = value.shape;
  if (value.shape.length !== 2 || columns !== width || value.data.length !== rows * columns) {
    throw new Error(`TfjsDense: ${what} must be { data, shape: [batch, ${width}] }, got shape [${value.shape.join(', ')}]`);
  }
  return [rows, columns];
}
