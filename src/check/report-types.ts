/**
 * The plain data `checkGradients` returns. Formatting lives in `src/report/`; nothing here knows
 * about a test runner.
 */

import type { Dtype } from '../engine/dtype.js';
import type { ErrorBand } from '../engine/normalized-error.js';
import type { BudgetStop } from './budget.js';

export type { BudgetStop, Dtype, ErrorBand };

/** What kind of mistake a diagnosis names. */
export type DiagnosisKind =
  | 'scale'
  | 'sign'
  | 'transpose'
  | 'zero'
  | 'batch-row'
  | 'chain-rule'
  | 'accumulation'
  | 'kink-side'
  | 'single-entry'
  | 'tied-routing'
  | 'non-finite'
  | 'through-layer';

/** A likely cause, as data. Emitted only when its evidence holds on every failing entry of the tensor it names. */
export interface Diagnosis {
  kind: DiagnosisKind;
  /** The tensor's name, as in `report.tensors`. */
  tensor: string;
  /** For `scale`: analytic ≈ factor × numeric (rounded to a whole number or its inverse when within the entries' error). */
  factor?: number;
  /** For `scale`: the `gradientFactor` that, declared for this tensor, would explain it (a library's batch mean…). */
  gradientFactor?: number;
  /** For `single-entry`: where. */
  position?: number[];
  /** The cause phrased as a question to check, e.g. `analytic ≈ 2 × numeric: a term counted twice?` */
  message: string;
}

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

/**
 * A group of tied entries (equal values, at least one of them at a kink: tied maxima of a pool, ties
 * of a sort) judged together, by moving all of them at once. That keeps every tie, so along the
 * group the loss is smooth (or has one-sided slopes, at a ReLU's zero), and any valid routing of the
 * gradient among tied entries gives a sum equal to that derivative; routing it to every tied entry
 * gives k times it. Entry by entry a tie shared by primitives with gradients of mixed signs has no
 * interval a valid routing must lie in, so the group's verdict is the one that counts.
 * Values are per unit of the (common) step.
 */
export interface TiedGroup {
  /** The value the entries share. */
  value: number;
  /** Entries in the group; `entries` lists the first 16. */
  size: number;
  entries: { index: number; position: number[]; analytic: number }[];
  /** Σ analytic over the group: what backward says the group's directional derivative is. */
  analytic: number;
  /** The group's one-sided directional slopes (equal where the group moves smoothly). */
  lower: number;
  upper: number;
  error: number;
  allowed: number;
  /** Entries of the group whose verdict alone failed and that the group's pass accepts (its tie explains them). */
  accepted: number;
}

/** A tied group whose analytic sum lies outside its slopes: the gradient routed to every tied entry, or another wrong routing. */
export type JointKinkFailure = TiedGroup;

/** An entry at a non-differentiable point whose analytic value is an accepted subgradient. */
export interface KinkEntry {
  index: number;
  position: number[];
  analytic: number;
  /** The interval of one-sided derivatives the analytic value must lie in. */
  lower: number;
  upper: number;
  /** The one-sided difference quotients at the base step (towards +θ and −θ), for the joint check of coupled kinks. */
  right: number;
  left: number;
  /** The step those quotients used and their rounding slack. */
  stepUsed: number;
  slack: number;
}

/**
 * A passing entry the finite difference could not resolve: its error estimate exceeds both the
 * relative tolerance of its own gradient and the layer's absolute tolerance, so a wrong gradient
 * there would have passed too.
 */
export interface UnresolvedEntry {
  index: number;
  position: number[];
  analytic: number;
  numeric: number;
  errorEstimate: number;
  /** The error estimate the verdict needed: tolerance·max(|analytic|, |numeric|) + the absolute tolerance. */
  needed: number;
  stepUsed: number;
}

/** A run of entries where a projection disagreed but no single entry could be pinned down within the budget. */
export interface UnresolvedGroup {
  /** Positions of the first and last entry of the run (entries in between, in the tensor's order, may be every n-th in a shard). */
  first: number[];
  last: number[];
  entries: number;
  reason: string;
}

/** How much of a tensor the check covered, and how. */
export interface TensorCoverage {
  /** Entries this check was responsible for (all of them, or this shard's). */
  inScope: number;
  /** Entries measured one by one (their numeric values are in `numeric`; NaN elsewhere). */
  measured: number;
  /** Entries screened by projection: both blocks holding them (one per partition) passed. */
  screened: number;
  /**
   * For projection: the largest single-entry error (absolute) a passing block could have hidden;
   * a wrong entry with a smaller error may have passed. null without projection.
   */
  detectionFloor: number | null;
  /**
   * For projection: what a screened entry's pass guarantees, relative to its own gradient: an entry
   * wrong by more than this fraction would have failed its block (`screened to 2e-4 relative`).
   * null when no entry was screened to the target.
   */
  screenedTo: number | null;
  /** Screened entries whose floor exceeds what a verdict needs, as an unresolved measured entry's would: inconclusive. */
  screenedUnresolved: number;
  /** Screened entries whose block's larger gradients set their floor above the guarantee, not measured alone within the budget: inconclusive. */
  weak: number;
  unlocalized: UnresolvedGroup[];
  /** Blocks whose projection disagreed but were not localized, because enough wrong entries of the tensor were already located. */
  failingBlocks: UnresolvedGroup[];
  /** Entries the planned mode did not reach: the budget stopped the check first. */
  skipped: number;
}

export interface TensorReport {
  /** Parameter name from the layer (`W`, record key, `name` field) or `params[i]`; `input` for the input. */
  name: string;
  shape: number[];
  size: number;
  dtype: Dtype;
  /** No failure, and every entry resolved or negligible (see `inconclusive`). */
  pass: boolean;
  /** Nested rows of different lengths: `shape` is then just `[size]`, positions still name row and column. */
  ragged: boolean;
  /** ‖n − a‖₂ / (‖n‖₂ + ‖a‖₂), with kink entries measured to their accepted interval. 0 when both are 0. */
  normalizedError: number;
  band: ErrorBand;
  /** Failing entries, worst first (by error / allowed). */
  failures: EntryFailure[];
  kinks: KinkEntry[];
  /** Tied entries whose gradients are wrong together (each may be valid alone): see TiedGroup. */
  jointFailures: JointKinkFailure[];
  /** Tied groups judged together that passed. */
  tiedGroups: TiedGroup[];
  /**
   * The declared gradient convention (option `gradientFactor`): backward gives this multiple of the
   * true gradient, and every analytic value here is backward's divided by it. 1 when none was declared.
   */
  gradientFactor: number;
  /**
   * Passing entries checked to the absolute tolerance only: their error estimate exceeds
   * tolerance·max(|analytic|, |numeric|) but not the layer's absolute tolerance, so any error
   * they could hide is negligible against the layer's significant gradients.
   */
  negligible: number;
  /** Passing entries that were not resolved at all, worst first: they make the check inconclusive. */
  inconclusive: UnresolvedEntry[];
  coverage: TensorCoverage;
  /** Full analytic gradient and the numeric one (NaN for entries not measured one by one), flat row-major. */
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
    | 'state-not-restored'
    | 'budget-exhausted';
  /**
   * `impossible`: no verdict on the gradients can be reached; `failure`: the layer is wrong;
   * `inconclusive`: the check stopped before it could reach a verdict (its budget), so the layer
   * cannot pass, but what was found wrong before still fails it.
   */
  severity: 'impossible' | 'failure' | 'inconclusive';
  /** Tensor the problem is about, when there is one. */
  tensor?: string;
  position?: number[];
  message: string;
}

/** Which checking mode ran, and why. */
export interface CheckMode {
  /**
   * `exhaustive`: every entry in scope measured; `projection`: directional derivatives over blocks
   * of entries, wrong ones localized by halving, plus a sample measured one by one; `sample`: a
   * seeded subset of entries measured one by one.
   */
  kind: 'exhaustive' | 'projection' | 'sample';
  /** e.g. `auto: exhaustive would take about 210,000 forward calls (≈ 380 s), over the 2 s budget`. */
  reason: string;
  /** Entries per projection block, when projecting. */
  blockSize: number | null;
  /** This check's part of the entries, when sharded. */
  shard: { index: number; count: number } | null;
}

/** Why some gradients could not be resolved, and what would resolve them. */
export interface InconclusiveExplanation {
  /** e.g. `each loss evaluation is rounded by about 0.07 (the outputs carry an offset of about 1e12) …` */
  cause: string;
  /** What to change, most specific first; the last is always the explicit opt-in. */
  remedies: string[];
}

/**
 * One layer of a `sequence()`, checked on its own at the input it received in the composed forward
 * (made only when the sequence's check failed).
 */
export interface LayerAttribution {
  index: number;
  /** The name it was given (`['conv', layer]`, or the layer's own `name`), or null. */
  name: string | null;
  /** The prefix of its tensors in the sequence's report: `2.conv.`, or `2.` when unnamed. */
  prefix: string;
  verdict: GradientReport['verdict'];
  /** Its tensors that disagree in its own check, by the sequence's names (`2.conv.W`; its input gradient `2.conv.input`). */
  tensors: string[];
  /** Its input gradient in its own check: right, wrong, or not returned (the first layer's input may have none). */
  inputGradient: 'ok' | 'wrong' | 'none';
  /** Its own check; null when that check threw (`error` says what), which makes the verdict `impossible`. */
  report: GradientReport | null;
  error?: string;
}

export interface GradientReport {
  mode: CheckMode;
  /** True only for verdict `pass`: a check that could not check something never passes. */
  pass: boolean;
  /**
   * `fail`: a wrong gradient or a failing problem; `inconclusive`: nothing failed, but some
   * significant gradients could not be resolved; `impossible`: a problem prevents any verdict
   * (a nondeterministic forward, a layer the check could not put back as it was).
   */
  verdict: 'pass' | 'fail' | 'inconclusive' | 'impossible';
  /** Over all checked tensors together. */
  normalizedError: number;
  band: ErrorBand;
  tensors: TensorReport[];
  problems: Problem[];
  kinkCount: number;
  /** Sum of the tensors' `negligible` counts. */
  negligibleCount: number;
  /** Number of unresolved significant entries over all tensors. */
  inconclusiveCount: number;
  /** Set when `inconclusiveCount` > 0. */
  inconclusive: InconclusiveExplanation | null;
  /** Likely causes of the failures, each with the evidence holding on every failing entry it names; none for a correct layer. */
  diagnoses: Diagnosis[];
  /** For a `sequence()` whose check failed: each layer checked on its own, naming the wrong ones; null otherwise. */
  layers: LayerAttribution[] | null;
  /**
   * The largest gradient entry the finite differences measured to the relative tolerance, over all
   * tensors: the scale against which a gradient counts as negligible. When none was resolved (a
   * layer saturated everywhere), the largest entry of the projection r instead (`gradientScaleFrom:
   * 'outputs'`): what the outputs would carry back through a slope of 1, the least a gradient of
   * this layer matters at. 0 only when the check stopped before the probe.
   */
  gradientScale: number;
  /** Where `gradientScale` came from: the resolved gradients, or (none resolved) the outputs' projection. */
  gradientScaleFrom: 'gradients' | 'outputs';
  /** tolerance × gradientScale: an entry's error estimate below it is negligible for the layer. */
  absoluteTolerance: number;
  /** Re-evaluations of the unperturbed loss, all bitwise equal to the first (evidence of a deterministic forward). */
  determinismChecks: number;
  forwardCalls: number;
  backwardCalls: number;
  /** Calls counted against `maxEvaluations` (forward and backward; the one closing forward after a stop is not). */
  evaluations: number;
  /** What stopped the check before its end (its budget), or null. */
  stop: BudgetStop | null;
  /** Wall time of the check. Not in the report's text unless asked (`formatReport(report, { timings: true })`): it differs from run to run. */
  elapsedSeconds: number;
  /** The settings that applied, after defaults. */
  settings: {
    seed: number;
    dtype: Dtype;
    /** `auto`, or the explicit step given. */
    epsilon: number | 'auto';
    tolerance: number;
    richardson: boolean;
    /** Unresolved significant entries were accepted (the verdict says `pass` but the report lists them). */
    allowInconclusive: boolean;
    /** Which step and tolerance applied and whether they were defaults, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
    defaultsNote: string;
  };
}
