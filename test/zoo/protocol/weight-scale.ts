/** y = w ⊙ x (three weights, no bias) in form (b); `dwFactor` 2 is the classic doubled-weight-gradient bug. Used by the Jest suite. */
export class Scale {
  readonly w: Float64Array;
  readonly dw: Float64Array;
  x: Float64Array;

  /** `size` > 3 repeats the three weights, each repetition a quarter larger (for positions ≥ 10 in diffs). */
  constructor(
    private readonly dwFactor = 1,
    private readonly size = 3,
  ) {
    this.w = Float64Array.from({ length: size }, (_, i) => [0.5, -1.5, 2][i % 3] * (1 + Math.floor(i / 3) / 4));
    this.dw = new Float64Array(size);
    this.x = new Float64Array(size);
  }

  get params(): Record<string, Float64Array> {
    return { w: this.w };
  }

  get grads(): Record<string, Float64Array> {
    return { w: this.dw };
  }

  sampleInput(): Float64Array {
    return Float64Array.from({ length: this.size }, (_, i) => i + 1);
  }

  forward(x: Float64Array): Float64Array {
    this.x = x.slice();
    return x.map((v, i) => v * this.w[i]);
  }

  backward(g: Float64Array): Float64Array {
    g.forEach((v, i) => {
      this.dw[i] += this.dwFactor * v * this.x[i];
    });
    return g.map((v, i) => v * this.w[i]);
  }
}

/** The same layer behind async forward and backward (a device read-back): gets an awaited matcher. */
export class AsyncScale {
  /** The synchronous layer doing the work (subclasses answer later or slower around it). */
  protected readonly inner: Scale;

  constructor(dwFactor = 1) {
    this.inner = new Scale(dwFactor);
  }

  get params(): Record<string, Float64Array> {
    return this.inner.params;
  }

  get grads(): Record<string, Float64Array> {
    return this.inner.grads;
  }

  sampleInput(): Float64Array {
    return this.inner.sampleInput();
  }

  async forward(x: Float64Array): Promise<Float64Array> {
    await Promise.resolve();
    return this.inner.forward(x);
  }

  async backward(g: Float64Array): Promise<Float64Array> {
    await Promise.resolve();
    return this.inner.backward(g);
  }
}
