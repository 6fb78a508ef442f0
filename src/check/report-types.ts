/**
 * The plain data `checkGradients` returns. Formatting lives in `src/report/`; nothing here knows
 * about a test runner.
 */

import type { Dtype } from '../engine/dtype.js';
import type { ErrorBand } from '../engine/normalized-error.js';

export type { Dtype, ErrorBand };

/** One entry whose analytic gradient disagrees with the finite difference. */
export interface EntryFailure {
  /** Flat, row-major index into the tensor. */
  index: number;
  /** The same index as a position in the tensor's shape. */
  position: number[];
  /** What the layer's backward pass produced. */
  analytic: number;
  /** The finite-difference estimate. */
  numeric: number;
  /** |analytic − numeric|; NaN never appears here (non-finite entries are reported by `kind`). */
  error: number;
  /** The finite difference's own estimated numerical error. */
  errorEstimate: number;
  /** The largest |analytic − numeric| the entry could have and still pass. */
  allowed: number;
  /** The base step actually applied to the stored value. */
  stepUsed: number;
  /**
   * `mismatch`: outside tolerance; `kink-outside`: at a non-differentiable point, but outside the
   * interval of one-sided derivatives; `non-finite`: NaN or ±Infinity in the gradient or the loss.
   */
  kind: 'mismatch' | 'kink-outside' | 'non-finite';
}

/** An entry at a non-differentiable point whose analytic value is an accepted subgradient. */
export interface KinkEntry {
  index: number;
  position: number[];
  analytic: number;
  /** The interval of one-sided derivatives the analytic value must lie in. */
  lower: number;
  upper: number;
}

export interface TensorReport {
  /** Parameter name from the layer (`W`, record key, `name` field) or `params[i]`; `input` for the input. */
  name: string;
  shape: number[];
  size: number;
  dtype: Dtype;
  pass: boolean;
  /** ‖n − a‖₂ / (‖n‖₂ + ‖a‖₂), with kink entries measured to their accepted interval. 0 when both are 0. */
  normalizedError: number;
  band: ErrorBand;
  /** Failing entries, worst first (by error / allowed). */
  failures: EntryFailure[];
  kinks: KinkEntry[];
  /**
   * Passing entries the finite difference could not resolve to the tolerance (errorEstimate >
   * tolerance·max(|analytic|, |numeric|)): a bug smaller than their error estimate would go unseen.
   */
  unresolved: number;
  /** Full analytic and numeric gradients, flat row-major. */
  analytic: Float64Array;
  numeric: Float64Array;
  /** Per-entry error estimate of the finite difference. */
  errorEstimate: Float64Array;
}

/** Something that makes the layer wrong or the check impossible, beyond per-entry mismatches. */
export interface Problem {
  kind:
    | 'nondeterministic-forward'
    | 'forward-mutates-input'
    | 'backward-mutates-upstream'
    | 'backward-not-linear'
    | 'non-finite-output'
    | 'non-finite-gradient';
  /** `impossible` problems mean no verdict on the gradients could be reached. */
  severity: 'impossible' | 'failure';
  /** Tensor the problem is about, when there is one. */
  tensor?: string;
  position?: number[];
  message: string;
}

export interface GradientReport {
  pass: boolean;
  /** `impossible` when a problem prevents any verdict (e.g. a nondeterministic forward). */
  verdict: 'pass' | 'fail' | 'impossible';
  /** Over all checked tensors together. */
  normalizedError: number;
  band: ErrorBand;
  tensors: TensorReport[];
  problems: Problem[];
  kinkCount: number;
  /** Sum of the tensors' `unresolved` counts. */
  unresolvedCount: number;
  forwardCalls: number;
  backwardCalls: number;
  /** The settings that applied, after defaults. */
  settings: {
    seed: number;
    dtype: Dtype;
    /** `auto`, or the explicit step given. */
    epsilon: number | 'auto';
    tolerance: number;
    richardson: boolean;
    /** Which step and tolerance applied and whether they were defaults, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
    defaultsNote: string;
  };
}
