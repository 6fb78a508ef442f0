/**
 * Layers whose mistakes (or deliberate approximations) have a known cause, for the diagnoses:
 * each is small enough that the expected diagnosis is easy to state.
 */
import { ScaleLayer } from './scale.js';

/**
 * dw is a running sum the layer keeps itself and copies out, never reset between backward calls:
 * the checker zeroes the public grads, but the hidden sum still grows (gradient accumulation gone wrong).
 */
export class HiddenRunningSum extends ScaleLayer {
  private readonly total = new Float64Array(6);
  override backward(grad: Float64Array): Float64Array {
    const dx = super.backward(grad) as Float64Array;
    for (let i = 0; i < this.total.length; i++) {
      this.total[i] += grad[i] * this.sampleInput()[i];
      this.dw[i] = this.total[i];
    }
    return dx;
  }
}

/**
 * y = acos(x) element-wise, with backward −1/(√(1−x²) + 1e-4): a guard against division by zero
 * that makes the ratio analytic/numeric vary with x (≈ 0.9999 to 0.9997 here). Wrong at tolerance
 * 1e-6, but no constant factor.
 */
export class GuardedAcos {
  private x = new Float64Array(0);
  readonly params = {};
  readonly grads = {};
  sampleInput(): Float64Array {
    return Float64Array.from([-0.9, -0.5, -0.1, 0.2, 0.6, 0.95]);
  }
  forward(x: Float64Array): Float64Array {
    this.x = Float64Array.from(x);
    return x.map(Math.acos);
  }
  backward(grad: Float64Array): Float64Array {
    return grad.map((g, i) => -g / (Math.sqrt(1 - this.x[i] ** 2) + 1e-4));
  }
}

/** The three-term polynomial erf of Abramowitz and Stegun 7.1.25 (|error| ≤ 2.5e-5). */
function polynomialErf(x: number): number {
  const t = 1 / (1 + 0.47047 * Math.abs(x));
  const poly = t * (0.3480242 + t * (-0.0958798 + t * 0.7478556));
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}

/** erf to double precision (Maclaurin series; converges fast for the |x| < 3 used here). */
function seriesErf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const next = sum + term / (2 * n + 1);
    if (next === sum) break;
    sum = next;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * Exact GELU x·Φ(x) forward, with a backward built on the polynomial erf, as several libraries
 * write it: analytic/numeric is 1 up to an error that changes with x, never a constant factor.
 */
export class PolynomialErfGelu {
  private x = new Float64Array(0);
  readonly params = {};
  readonly grads = {};
  sampleInput(): Float64Array {
    return Float64Array.from([-2.5, -1.2, -0.4, 0.3, 0.9, 1.7, 2.6]);
  }
  forward(x: Float64Array): Float64Array {
    this.x = Float64Array.from(x);
    return x.map((v) => 0.5 * v * (1 + seriesErf(v / Math.SQRT2)));
  }
  backward(grad: Float64Array): Float64Array {
    return grad.map((g, i) => {
      const v = this.x[i];
      const cdf = 0.5 * (1 + polynomialErf(v / Math.SQRT2));
      const pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
      return g * (cdf + v * pdf);
    });
  }
}
