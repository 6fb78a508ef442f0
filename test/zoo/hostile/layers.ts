/**
 * Awkward-but-legal layers, the kind people write when nobody is looking. Each is the affine layer
 * (see affine.ts) in one hostile shape; `bug` plants a real gradient mistake where it matters.
 */
import { flatten } from '../tensor-utils.js';
import { affineBackward, affineForward, biases, inputs, rows, SMALL, weights, type AffineBug } from './affine.js';
import { AffineLayer, type AffineOptions } from './affine-layer.js';

/** An object literal with `get params()` / `get grads()`: the accessors must survive every check. */
export function literalWithAccessors(bug: AffineBug = 'none') {
  return {
    W: weights(),
    b: biases(),
    dW: new Float64Array(12),
    db: new Float64Array(3),
    x: null as Float64Array | null,
    get params() {
      return { W: this.W, b: this.b };
    },
    get grads() {
      return { W: this.dW, b: this.db };
    },
    sampleInput: () => rows(inputs(), 4),
    forward(input: unknown) {
      this.x = flatten(input);
      return rows(affineForward(this.W, this.b, this.x, SMALL), 3);
    },
    backward(g: unknown) {
      const grads = affineBackward(this.W, this.x as Float64Array, flatten(g), SMALL, bug);
      grads.dW.forEach((v, k) => (this.dW[k] += v));
      grads.db.forEach((v, k) => (this.db[k] += v));
      return rows(grads.dx, 4);
    },
  };
}

/** Getters on reachable objects (a config with `get lr()`, a prototype accessor) that count their calls. */
export class WithConfigGetters extends AffineLayer {
  getterCalls = 0;
  config: { readonly lr: number; readonly name: string };
  constructor(options: AffineOptions = {}) {
    super(options);
    const owner = this;
    this.config = {
      get lr() {
        owner.getterCalls++;
        return 0.01;
      },
      name: 'dense',
    };
  }
  get scaleSetting(): number {
    this.getterCalls++;
    return 1;
  }
}

const CACHE = Symbol('cache');

/** forward writes a Symbol-keyed cache, a non-enumerable field, a Map, a Set and a Date, and counts calls. */
export class WithHiddenState extends AffineLayer {
  calls = 0;
  [CACHE]: Float64Array | null = null;
  readonly memo = new Map<string, number>([['initial', 1]]);
  readonly seen = new Set<number>([0]);
  readonly lastCall = new Date(0);
  constructor(options: AffineOptions = {}) {
    super(options);
    Object.defineProperty(this, 'hiddenCount', { value: 0, writable: true, enumerable: false, configurable: true });
  }
  override forward(input: unknown): unknown {
    this.calls++;
    this[CACHE] = flatten(input);
    (this as unknown as { hiddenCount: number }).hiddenCount++;
    this.memo.set(`call${this.calls}`, this.calls);
    this.seen.add(this.calls);
    this.lastCall.setTime(this.calls);
    return super.forward(input);
  }
}

/** A `#private` call counter: not observable, so not restored; it never changes the output. */
export class WithPrivateCounter extends AffineLayer {
  #calls = 0;
  override forward(input: unknown): unknown {
    this.#calls++;
    return super.forward(input);
  }
  get callCount(): number {
    return this.#calls;
  }
}

/** A pass-through Proxy around a class instance (methods bound to the target, as many wrappers do). */
export function proxied(layer: object): object {
  return new Proxy(layer, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** W and b as subarrays of one Float64Array, disjoint (legal) or overlapping by one entry (not). */
export class SharedBufferLayer extends AffineLayer {
  readonly arena: Float64Array;
  constructor(overlap: boolean, bug: AffineBug = 'none') {
    super({ bug });
    this.arena = new Float64Array(12 + 3);
    this.arena.set(weights(), 0);
    this.arena.set(biases(), 12);
    this.W = this.arena.subarray(0, 12);
    this.b = this.arena.subarray(overlap ? 11 : 12, overlap ? 14 : 15);
  }
}

/** params() hands out fresh records but grads() returns copies; backward accumulates (`+=`) or overwrites. */
export class GradCopies extends AffineLayer {
  constructor(
    private readonly gradMode: 'accumulate' | 'overwrite',
    bug: AffineBug = 'none',
  ) {
    super({ bug });
  }
  override get grads(): Record<string, Float64Array | Float32Array> {
    return { W: this.dW.slice(), b: this.db.slice() };
  }
  override backward(gradOutput: unknown): unknown {
    if (this.gradMode === 'overwrite') {
      this.dW.fill(0);
      this.db.fill(0);
    }
    return super.backward(gradOutput);
  }
}

/** A Tensor class with methods: inputs, outputs and upstream gradients must keep its prototype. */
export class Tensor {
  constructor(
    readonly data: Float64Array,
    readonly shape: number[],
  ) {}
  at(row: number, column: number): number {
    return this.data[row * this.shape[1] + column];
  }
  static fromRows(values: ArrayLike<number>, rowCount: number, columnCount: number): Tensor {
    return new Tensor(Float64Array.from(values), [rowCount, columnCount]);
  }
}

/** A Tensor whose `data` is a getter over a backing field, as many small libraries write it. */
export class BackedTensor {
  private readonly storage: Float64Array;
  constructor(
    values: ArrayLike<number>,
    readonly shape: number[],
  ) {
    this.storage = Float64Array.from(values);
  }
  get data(): Float64Array {
    return this.storage;
  }
  at(row: number, column: number): number {
    return this.storage[row * this.shape[1] + column];
  }
}

/** The affine layer on BackedTensor input and output; backward reads the upstream through `at`. */
export class BackedTensorLayer extends AffineLayer {
  override sampleInput(): BackedTensor {
    return new BackedTensor(inputs(), [2, 4]);
  }
  override forward(input: BackedTensor): BackedTensor {
    this.x = Float64Array.from(input.data);
    return new BackedTensor(affineForward(this.W, this.b, this.x, SMALL), [2, 3]);
  }
  override backward(g: BackedTensor): BackedTensor {
    const upstream = new Float64Array(6);
    for (let n = 0; n < 2; n++) for (let o = 0; o < 3; o++) upstream[n * 3 + o] = g.at(n, o);
    const grads = affineBackward(this.W, this.x as Float64Array, upstream, SMALL, this.bug);
    grads.dW.forEach((v, k) => (this.dW[k] += v));
    grads.db.forEach((v, k) => (this.db[k] += v));
    return new BackedTensor(grads.dx, [2, 4]);
  }
}

/** Reads its input and upstream gradient through `Tensor.at` and returns Tensors. */
export class TensorClassLayer extends AffineLayer {
  override sampleInput(): Tensor {
    return Tensor.fromRows(inputs(), 2, 4);
  }
  override forward(input: Tensor): Tensor {
    const x = new Float64Array(8);
    for (let n = 0; n < 2; n++) for (let i = 0; i < 4; i++) x[n * 4 + i] = input.at(n, i);
    this.x = x;
    return Tensor.fromRows(affineForward(this.W, this.b, x, SMALL), 2, 3);
  }
  override backward(g: Tensor): Tensor {
    const upstream = new Float64Array(6);
    for (let n = 0; n < 2; n++) for (let o = 0; o < 3; o++) upstream[n * 3 + o] = g.at(n, o);
    const grads = affineBackward(this.W, this.x as Float64Array, upstream, SMALL, this.bug);
    grads.dW.forEach((v, k) => (this.dW[k] += v));
    grads.db.forEach((v, k) => (this.db[k] += v));
    return Tensor.fromRows(grads.dx, 2, 4);
  }
}

/**
 * A sequence layer on ragged input: sequences of lengths 3 and 2, y_t = w ⊙ x_t + c per step, the
 * output as ragged as the input. `bug` 'input-sign' flips the input gradient of the second sequence.
 */
export class RaggedSequenceLayer {
  w = new Float64Array([0.7, -1.2]);
  c = new Float64Array([0.05, -0.1]);
  dw = new Float64Array(2);
  dc = new Float64Array(2);
  private xs: number[][][] = [];
  constructor(private readonly bug: 'none' | 'second-sequence-input-sign' = 'none') {}
  get params() {
    return { w: this.w, c: this.c };
  }
  get grads() {
    return { w: this.dw, c: this.dc };
  }
  sampleInput(): number[][][] {
    return [
      [[0.5, -1], [1.5, 0.25], [-0.75, 2]],
      [[1, 1], [-2, 0.5]],
    ];
  }
  forward(sequences: number[][][]): number[][][] {
    this.xs = sequences.map((s) => s.map((step) => [...step]));
    return sequences.map((s) => s.map((step) => step.map((v, k) => this.w[k] * v + this.c[k])));
  }
  backward(g: number[][][]): number[][][] {
    return g.map((s, n) =>
      s.map((step, t) =>
        step.map((upstream, k) => {
          this.dw[k] += upstream * this.xs[n][t][k];
          this.dc[k] += upstream;
          const dx = upstream * this.w[k];
          return this.bug === 'second-sequence-input-sign' && n === 1 ? -dx : dx;
        }),
      ),
    );
  }
}

/** y = scale·v where the mask allows; the input is an object whose `meta` counter forward bumps. */
export class MaskedInputLayer {
  params = { scale: new Float64Array([1.5]) };
  grads = { scale: new Float64Array([0]) };
  private values = new Float64Array(0);
  private mask: boolean[] = [];
  forward(input: { values: Float64Array; mask: boolean[]; meta: { seen: number } }): Float64Array {
    input.meta.seen++;
    this.values = input.values.slice();
    this.mask = [...input.mask];
    return input.values.map((v, k) => (input.mask[k] ? this.params.scale[0] * v : 0));
  }
  backward(g: Float64Array): undefined {
    g.forEach((upstream, k) => {
      if (this.mask[k]) this.grads.scale[0] += upstream * this.values[k];
    });
    return undefined;
  }
}

/** Training-mode dropout on an affine layer, with a random source that tests may seed. */
export class DropoutAffine extends AffineLayer {
  constructor(
    readonly dropProbability: number,
    readonly random: () => number = Math.random,
    options: AffineOptions = {},
  ) {
    super(options);
  }
  private mask: boolean[] = [];
  override forward(input: unknown): unknown {
    const y = flatten(super.forward(input));
    this.mask = Array.from(y, () => this.random() >= this.dropProbability);
    const kept = y.map((v, k) => (this.mask[k] ? v / (1 - this.dropProbability) : 0));
    return this.nested(kept, this.sizes.outSize);
  }
  override backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const masked = g.map((v, k) => (this.mask[k] ? v / (1 - this.dropProbability) : 0));
    return super.backward(this.nested(masked, this.sizes.outSize));
  }
}

/** Deterministic until its `driftAfter`-th forward call, then a hidden step counter shifts the output. */
export class DriftingLayer extends AffineLayer {
  calls = 0;
  constructor(readonly driftAfter: number) {
    super();
  }
  override forward(input: unknown): unknown {
    this.calls++;
    const y = flatten(super.forward(input));
    if (this.calls > this.driftAfter) y[0] += 1e-9;
    return this.nested(y, this.sizes.outSize);
  }
}

/** Throws from forward on its n-th call or from backward on its m-th call, with its own error type. */
export class FaultyLayer extends AffineLayer {
  forwardCalls = 0;
  backwardCalls = 0;
  constructor(
    readonly failForwardOn: number,
    readonly failBackwardOn: number,
    readonly error: () => Error = () => new RangeError('layer ran out of range'),
  ) {
    super();
  }
  override forward(input: unknown): unknown {
    this.forwardCalls++;
    if (this.forwardCalls === this.failForwardOn) throw this.error();
    return super.forward(input);
  }
  override backward(gradOutput: unknown): unknown {
    this.backwardCalls++;
    if (this.backwardCalls === this.failBackwardOn) throw this.error();
    return super.backward(gradOutput);
  }
}

/** The same class with `params` built per call as `{ name, value, grad, shape }` records. */
export function recordsLayer(records: (layer: AffineLayer) => unknown[], options: AffineOptions = {}): AffineLayer {
  const layer = new AffineLayer(options);
  Object.defineProperty(layer, 'params', { get: () => records(layer), configurable: true, enumerable: true });
  return layer;
}

/**
 * The affine layer behind async forward and backward, as a layer that reads its results back from
 * a device or a worker would be: every call resolves on a later macrotask.
 */
export class AsyncAffine extends AffineLayer {
  asyncCalls = 0;
  override async forward(input: unknown): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    this.asyncCalls++;
    return super.forward(input);
  }
  override async backward(gradOutput: unknown): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    return super.backward(gradOutput);
  }
}

/** The affine layer on a virtual clock: every forward call advances it by `secondsPerCall` (a slow layer, without waiting). */
export class ClockedAffine extends AffineLayer {
  constructor(
    readonly clock: { now: number },
    readonly secondsPerCall: number,
    options: AffineOptions = {},
  ) {
    super(options);
  }
  override forward(input: unknown): unknown {
    this.clock.now += this.secondsPerCall;
    return super.forward(input);
  }
}

/**
 * An async affine layer whose `hangOn`-th forward call never settles (a lost GPU read-back). Its
 * backward zeroes nothing of its own: what the check changed before the hang (gradients reset, the
 * cached input) must be put back by the check.
 */
export class HangingAffine extends AsyncAffine {
  forwardCount = 0;
  constructor(
    readonly hangOn: number,
    options: AffineOptions = {},
  ) {
    super(options);
  }
  override forward(input: unknown): Promise<unknown> {
    this.forwardCount++;
    if (this.forwardCount === this.hangOn) return new Promise(() => undefined);
    return super.forward(input);
  }
}

/**
 * Keeps a value derived from its weights in forward where the checker's snapshot cannot reach it
 * (a closure, as tfjs keeps Variables): only a last forward at the original weights leaves it as
 * it began. `derived()` reads it.
 */
export function withDerivedState(layer: AffineLayer): AffineLayer & { derived(): number } {
  let derived = layer.W[0];
  const forward = layer.forward.bind(layer);
  return Object.assign(layer, {
    forward(input: unknown): unknown {
      derived = layer.W[0];
      return forward(input);
    },
    derived: () => derived,
  });
}

/** A forward whose output changes on a fraction of its calls (a rare random branch), from a seeded random source. */
export class FlakyAffine extends AffineLayer {
  constructor(
    readonly changeProbability: number,
    readonly random: () => number,
    options: AffineOptions = {},
  ) {
    super(options);
  }
  override forward(input: unknown): unknown {
    const y = flatten(super.forward(input));
    if (this.random() < this.changeProbability) y[0] += 1e-3;
    return this.nested(y, this.sizes.outSize);
  }
}

/**
 * The same layer made `factor` times slower: each forward call waits for (factor − 1) times what the
 * call itself took, as a loaded machine or a slower device would. Everything else is untouched.
 */
export function slowedDown<T extends { forward(input: unknown): unknown }>(layer: T, factor: number): T {
  if (factor === 1) return layer;
  const forward = layer.forward.bind(layer);
  // Blocks the thread without using a core: what the check sees is the same clock a slower (or
  // loaded) machine shows, while the other test worker keeps the CPU.
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  layer.forward = (input: unknown) => {
    const started = performance.now();
    const output = forward(input);
    const until = started + factor * (performance.now() - started);
    for (let left = until - performance.now(); left > 0; left = until - performance.now()) Atomics.wait(sleeper, 0, 0, left);
    return output;
  };
  return layer;
}
