/**
 * Gradients a library computes on demand, as real glue reads them: a tensor whose `.grad` exists
 * only once backward allocated it (reading `.grad.data` earlier throws, as in two real libraries),
 * an update step that hands gradients to a recording optimizer (the README's capture pattern), and
 * a scalar field given as `{ property }` whose gradient a `grads()` method returns by name.
 * y = w ⊙ x + beta over 4 entries; `bug` halves w's gradient.
 */
class Tensor {
  grad: { data: Float64Array } | undefined = undefined;
  constructor(readonly data: Float64Array) {}
}

export interface ComputedGradOptions {
  bug?: 'dw-halved';
}

export class LazyGradLayer {
  readonly w = new Tensor(Float64Array.from([0.5, -1, 0.25, 2]));
  beta = 0.75;
  private dBeta = 0;
  private x: Float64Array = new Float64Array(4);
  /** Gradient reads made before the first backward: must stay 0. */
  readsBeforeBackward = 0;
  private backwards = 0;

  constructor(readonly options: ComputedGradOptions = {}) {}

  get params(): unknown[] {
    return [
      // Reading w.grad.data before backward throws, as `undefined.data` does in the libraries' own glue.
      { name: 'w', value: this.w.data, grad: () => this.readGrad() },
      { property: 'beta' },
    ];
  }

  grads(): Record<string, number> {
    if (this.backwards === 0) this.readsBeforeBackward++;
    return { beta: this.dBeta };
  }

  private readGrad(): Float64Array {
    if (this.backwards === 0) this.readsBeforeBackward++;
    return (this.w.grad as { data: Float64Array }).data;
  }

  sampleInput(): Float64Array {
    return Float64Array.from([1.5, -0.5, 2, 0.25]);
  }

  forward(x: Float64Array): Float64Array {
    this.x = x;
    return x.map((v, i) => this.w.data[i] * v + this.beta);
  }

  backward(g: Float64Array): Float64Array {
    this.backwards++;
    this.w.grad ??= { data: new Float64Array(4) };
    this.w.grad.data.set(g.map((v, i) => v * this.x[i] * (this.options.bug === 'dw-halved' ? 0.5 : 1)));
    this.dBeta = g.reduce((sum, v) => sum + v, 0);
    return g.map((v, i) => v * this.w.data[i]);
  }
}

/**
 * The update-capture pattern: gradients exist only inside an update step that hands them to an
 * optimizer and then clears them; `grads` runs the step with an optimizer that only records.
 */
export class CapturedUpdateLayer {
  readonly W = Float64Array.from([0.5, -0.25, 1, 0.75]);
  private pending = new Float64Array(4);
  private x: Float64Array = new Float64Array(2);
  updatesBeforeBackward = 0;
  private backwards = 0;

  update(optimizer: { step(name: string, param: Float64Array, grad: Float64Array): void }): void {
    if (this.backwards === 0) this.updatesBeforeBackward++;
    optimizer.step('W', this.W, this.pending);
    this.pending = new Float64Array(4);
  }

  sampleInput(): Float64Array {
    return Float64Array.from([1, -2]);
  }

  forward(x: Float64Array): Float64Array {
    this.x = x;
    return Float64Array.from([this.W[0] * x[0] + this.W[1] * x[1], this.W[2] * x[0] + this.W[3] * x[1]]);
  }

  backward(g: Float64Array): Float64Array {
    this.backwards++;
    for (let o = 0; o < 2; o++) for (let k = 0; k < 2; k++) this.pending[o * 2 + k] += g[o] * this.x[k];
    return Float64Array.from([g[0] * this.W[0] + g[1] * this.W[2], g[0] * this.W[1] + g[1] * this.W[3]]);
  }
}

/** The capture glue from the README, on the layer above. */
export function withCapturedGrads(layer: CapturedUpdateLayer): CapturedUpdateLayer & { params: Record<string, Float64Array>; grads(): Record<string, Float64Array> } {
  const grads = (): Record<string, Float64Array> => {
    const seen: Record<string, Float64Array> = {};
    layer.update({ step: (name, _param, grad) => (seen[name] = grad.slice()) });
    return seen;
  };
  return Object.assign(layer, { params: { W: layer.W }, grads });
}
