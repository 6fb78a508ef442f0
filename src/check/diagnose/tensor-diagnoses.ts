import type { Diagnosis, DiagnosisKind, EntryFailure, Problem, TensorReport } from '../report-types.js';
import { constantFactor, declarationHint, describeFactor, niceConvention, niceFactor } from './gradient-factor-hints.js';

/** Evidence only a further backward run can give (see backward-evidence.ts). */
export interface BackwardEvidence {
  /** Tensors whose gradient did not change when the upstream gradient was cut to the first sample (row 0 of the output). */
  firstSampleOnly: ReadonlySet<string>;
  /** Tensors whose backward(0) returned the previous gradient and backward(2r) three times it: a sum never reset. */
  accumulating: ReadonlySet<string>;
}

const finding = (tensor: string, kind: DiagnosisKind, message: string, extra: Partial<Diagnosis> = {}): Diagnosis => ({ kind, tensor, message, ...extra });

/** analytic[j, i] ≈ numeric[i, j] on every entry (also for a [cols, rows] gradient flattened into a [rows, cols] parameter). */
function isTransposed(tensor: TensorReport, tolerance: number): boolean {
  if (tensor.shape.length !== 2 || tensor.ragged) return false;
  const [rows, cols] = tensor.shape;
  if (rows < 2 || cols < 2) return false;
  let matched = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const numeric = tensor.numeric[i * cols + j];
      if (Number.isNaN(numeric)) continue;
      const transposed = tensor.analytic[j * rows + i];
      if (Math.abs(transposed - numeric) > tolerance * Math.max(Math.abs(transposed), Math.abs(numeric)) + 2 * tensor.errorEstimate[i * cols + j]) return false;
      matched++;
    }
  }
  return matched >= 4;
}

/** Findings from the contract runs (backward(0), backward(2r)) and the joint kink check: they hold whatever the entries show. */
function runFindings(tensor: TensorReport, problems: readonly Problem[], evidence: BackwardEvidence): Diagnosis[] {
  const name = tensor.name;
  const found: Diagnosis[] = [];
  if (evidence.accumulating.has(name)) {
    found.push(finding(name, 'accumulation', `backward() adds to the previous gradient of '${name}' without a reset: backward(0) returned the last gradient. Reset the sum at the start of backward (or of each step)?`));
  } else if (problems.some((p) => p.kind === 'backward-not-linear' && p.tensor === name)) {
    found.push(finding(name, 'chain-rule', `the gradient of '${name}' is not linear in the upstream gradient: is the multiply by the upstream gradient missing, or applied to the wrong entries?`));
  }
  if (tensor.jointFailures.length > 0) {
    found.push(finding(name, 'tied-routing', `tied entries of '${name}' each receive the whole gradient: route it to one of them (or split it), not to every tied maximum.`));
  }
  return found;
}

/**
 * A cause that explains every failing entry by itself, most decisive first; `[]` when the failures
 * rule out any pattern (some non-finite), null when none applies.
 */
function decisiveFinding(tensor: TensorReport, evidence: BackwardEvidence, chainRule: boolean): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  if (failing.some((f) => f.kind === 'non-finite')) {
    const all = failing.every((f) => f.kind === 'non-finite');
    return all ? [finding(name, 'non-finite', `non-finite values in the gradient or the loss of '${name}': a division by zero, log(0) or an overflowing exp?`)] : [];
  }
  if (failing.every((f) => f.kind === 'kink-outside')) {
    return [finding(name, 'kink-side', `at non-differentiable points of '${name}' the analytic value lies outside the one-sided slopes: is the mask's comparison (> vs ≥) or the value chosen at the kink wrong?`)];
  }
  // Evidence from another backward run outranks a pattern in the values: a bias summed over the first
  // sample only can look like a mask where that sample's unit is dead. A backward that ignores the
  // upstream gradient also keeps its value when rows are cut: that is the chain-rule finding already made.
  if (evidence.firstSampleOnly.has(name) && !chainRule) {
    return [finding(name, 'batch-row', `the gradient of '${name}' does not change when every sample but the first is cut from the upstream gradient: is it taken from the first sample instead of summed over the batch?`)];
  }
  return maskFinding(tensor);
}

/** Gradient missing where forward moves, or present where it is flat: a mask, or entries never written. */
function maskFinding(tensor: TensorReport): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  // An entry is resolved nonzero when its finite difference is more than twice its own error bar, flat when not.
  const resolvedNonzero = (f: EntryFailure): boolean => Math.abs(f.numeric) > 2 * f.errorEstimate;
  const flat = (f: EntryFailure): boolean => Math.abs(f.numeric) <= 2 * f.errorEstimate;
  const cutOff = (f: EntryFailure): boolean => f.analytic === 0 && resolvedNonzero(f);
  const leaks = (f: EntryFailure): boolean => f.analytic !== 0 && flat(f);
  if (failing.every(cutOff)) {
    if (tensor.analytic.every((a) => a === 0)) {
      return [finding(name, 'zero', `the analytic gradient of '${name}' is all zeros: does backward() write it (or into another array)?`)];
    }
    const where = failing.length === 1 ? 'an entry' : `${failing.length} entries`;
    return [finding(name, 'zero', `'${name}' gets no gradient on ${where} the loss depends on: is a mask (ReLU, max) applied on the wrong side, or are these entries never written?`)];
  }
  // A mask on the wrong side shows both ways: gradient where forward is flat, none where it is not.
  const passingFlows = tensor.analytic.some((a, i) => a !== 0 && !failing.some((f) => f.index === i));
  if (passingFlows && failing.some(leaks) && failing.every((f) => leaks(f) || cutOff(f))) {
    const alsoCut = failing.some(cutOff) ? ' and none where it is not' : '';
    return [finding(name, 'kink-side', `'${name}' gets gradient exactly where forward is flat${alsoCut}: is a mask (ReLU, max, a clamp) missing or applied on the wrong side?`)];
  }
  if (failing.every((f) => f.numeric === 0) && tensor.numeric.every((n) => n === 0 || Number.isNaN(n))) {
    return [finding(name, 'zero', `every finite difference of '${name}' is zero while backward gives nonzero values: does forward() read these arrays (or copies made earlier)?`)];
  }
  return null;
}

/** Patterns across the failing values: a transpose, a constant factor or sign, a single entry. */
function patternFindings(tensor: TensorReport, tolerance: number): Diagnosis[] {
  const { name, failures: failing } = tensor;
  const found: Diagnosis[] = [];
  if (failing.length >= 2) {
    if (isTransposed(tensor, tolerance)) {
      return [finding(name, 'transpose', `the analytic gradient of '${name}' matches the transpose of the numeric one: a transposed weight gradient?`)];
    }
    const factor = constantFactor(failing, tolerance);
    // A ratio of 1 is no diagnosis: entries that fail at ratio ≈ 1 are approximations, not a factor.
    if (factor !== null && Math.abs(factor - 1) > 10 * tolerance) {
      const nice = niceFactor(factor, failing, tolerance);
      if (nice === -1) found.push(finding(name, 'sign', 'analytic = −numeric: a sign flip?', { factor: -1 }));
      else {
        const convention = niceConvention(factor, tensor.gradientFactor, failing, tolerance);
        const message = `${describeFactor(nice)}. ${declarationHint(name, convention, tensor.gradientFactor)}`;
        found.push(finding(name, 'scale', message, { factor: nice, gradientFactor: convention }));
      }
    }
  }
  if (failing.length === 1 && tensor.size > 1) {
    const only = failing[0];
    found.push(finding(name, 'single-entry', `only ${name}[${only.position.join(',')}] is wrong: an index or a single-term mistake?`, { position: only.position }));
  }
  return found;
}

/** The diagnoses of one tensor; every one holds on every failing entry of it. */
export function diagnoseTensor(tensor: TensorReport, problems: readonly Problem[], evidence: BackwardEvidence, tolerance: number): Diagnosis[] {
  const found = runFindings(tensor, problems, evidence);
  if (tensor.failures.length > 0) {
    const chainRule = found.some((d) => d.kind === 'chain-rule');
    found.push(...(decisiveFinding(tensor, evidence, chainRule) ?? patternFindings(tensor, tolerance)));
  }
  return found;
}
