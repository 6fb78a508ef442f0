/**
 * Layers that break the protocol's assumptions in the ways real code does. Each is the ScaleLayer
 * (y = w ⊙ x + c) with one deliberate misbehaviour, so the expected outcome is easy to state.
 */
import { createRng } from '../../../src/engine/rng.js';
import { ScaleLayer } from './scale.js';

/** Dropout left in training mode: a fresh random mask on every forward. */
export class TrainingModeDropout extends ScaleLayer {
  private readonly rng = createRng(7);
  override forward(x: Float64Array): Float64Array {
    const out = super.forward(x) as Float64Array;
    return out.map((v) => (this.rng.next() < 0.5 ? 0 : 2 * v));
  }
}

/** An in-place activation that overwrites its input (x ← max(x, 0)) before computing. */
export class InPlaceInput extends ScaleLayer {
  override forward(x: Float64Array): Float64Array {
    for (let i = 0; i < x.length; i++) x[i] = Math.max(x[i], 0);
    return super.forward(x) as Float64Array;
  }
}

/** backward scales the upstream gradient in place and hands the same array back. */
export class UpstreamMutating extends ScaleLayer {
  override backward(grad: Float64Array): Float64Array {
    super.backward(grad);
    for (let i = 0; i < grad.length; i++) grad[i] *= this.w[i];
    return grad;
  }
}

/** dw = x, the local derivative without the chain-rule multiply by the upstream gradient. */
export class ForgottenChainRule extends ScaleLayer {
  override backward(grad: Float64Array): Float64Array {
    const dx = super.backward(grad) as Float64Array;
    const x = this.sampleInput();
    for (let i = 0; i < x.length; i++) this.dw[i] = x[i];
    return dx;
  }
}

/** backward(0) is not 0: a weight-decay term added inside backward. */
export class GradientOffset extends ScaleLayer {
  override backward(grad: Float64Array): Float64Array {
    const dx = super.backward(grad) as Float64Array;
    for (let i = 0; i < this.w.length; i++) this.dw[i] += 0.01 * this.w[i];
    return dx;
  }
}

/** Forward yields NaN at output 2 (log of a negative number). */
export class NaNOutput extends ScaleLayer {
  override forward(x: Float64Array): Float64Array {
    const out = super.forward(x) as Float64Array;
    out[2] = Math.log(-1);
    return out;
  }
}

/** backward writes Infinity into dw[4] (a division by zero). */
export class InfiniteGradient extends ScaleLayer {
  override backward(grad: Float64Array): Float64Array {
    const dx = super.backward(grad) as Float64Array;
    this.dw[4] = 1 / 0;
    return dx;
  }
}

/** Forward throws on its n-th call, after the checker has started perturbing values. */
export class ThrowsHalfway extends ScaleLayer {
  calls = 0;
  constructor(private readonly failOnCall: number) {
    super();
  }
  override forward(x: Float64Array): Float64Array {
    this.calls++;
    if (this.calls === this.failOnCall) throw new Error(`forward failed on call ${this.calls}`);
    return super.forward(x) as Float64Array;
  }
}

/**
 * A correct layer with a log barrier log(w₃ − 0.25 + 1e-9): finite at the checked point, but the
 * loss is NaN as soon as w[3] is stepped below 0.25 − 1e-9.
 */
export class LogBarrier extends ScaleLayer {
  private barrierArgument(): number {
    return this.w[3] - 0.25 + 1e-9;
  }
  override forward(x: Float64Array): Float64Array {
    const out = super.forward(x) as Float64Array;
    out[0] += Math.log(this.barrierArgument());
    return out;
  }
  override backward(grad: Float64Array): Float64Array {
    const dx = super.backward(grad) as Float64Array;
    this.dw[3] += grad[0] / this.barrierArgument();
    return dx;
  }
}
