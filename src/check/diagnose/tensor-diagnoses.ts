import type { Diagnosis, DiagnosisKind, EntryFailure, Problem, TensorReport } from '../report-types.js';
import { constantFactor, declarationHint, describeFactor, niceConvention, niceFactor, slackOf } from './gradient-factor-hints.js';

/** Evidence only a further backward run can give (see backward-evidence.ts). */
export interface BackwardEvidence {
  /** Tensors whose gradient did not change when the upstream gradient was cut to the first sample (row 0 of the output). */
  firstSampleOnly: ReadonlySet<string>;
  /** Tensors whose backward(0) returned the previous gradient and backward(2r) three times it: a sum never reset. */
  accumulating: ReadonlySet<string>;
}

/** What a tensor's diagnosis may rest on besides its own entries. */
export interface DiagnosisFacts {
  problems: readonly Problem[];
  evidence: BackwardEvidence;
  tolerance: number;
  /** The tensor is an input: it has no "weights" to blame. */
  isInput: boolean;
}

const finding = (tensor: string, kind: DiagnosisKind, message: string, extra: Partial<Diagnosis> = {}): Diagnosis => ({ kind, tensor, message, ...extra });

/** An entry is resolved nonzero when its finite difference is more than twice its own error bar, flat when not. */
const resolvedNonzero = (f: EntryFailure): boolean => Math.abs(f.numeric) > 2 * f.errorEstimate;
const flat = (f: EntryFailure): boolean => Math.abs(f.numeric) <= 2 * f.errorEstimate;
const cutOff = (f: EntryFailure): boolean => f.analytic === 0 && resolvedNonzero(f);
const leaks = (f: EntryFailure): boolean => f.analytic !== 0 && flat(f);

/**
 * Every entry in scope was measured one by one or screened to its guarantee: only then can a claim
 * about the tensor as a whole ("only this entry is wrong") rest on it.
 */
function fullyChecked(tensor: TensorReport): boolean {
  const { coverage } = tensor;
  return coverage.inScope === tensor.size && coverage.skipped === 0 && coverage.weak === 0 && coverage.measured + coverage.screened >= coverage.inScope;
}

/**
 * The failing entries' transposes explain them: analytic[j, i] ≈ numeric[i, j] at each, where the
 * analytic gradient itself is not symmetric (a symmetric gradient transposed is itself), the entry
 * each one was read from fails too (a real transposition moves both; a correct lower triangle of a
 * symmetric gradient "explains" a wrong upper one without anything transposed), and every other
 * measured entry agrees with the transpose.
 */
function isTransposed(tensor: TensorReport, tolerance: number): boolean {
  if (tensor.shape.length !== 2 || tensor.ragged || tensor.failures.length < 2) return false;
  const [rows, cols] = tensor.shape;
  if (rows < 2 || cols < 2) return false;
  // The analytic gradient read as the cols × rows matrix a transposed write produces.
  const sourceOf = (index: number): number => (index % cols) * rows + Math.floor(index / cols);
  const transposedAt = (index: number): number => tensor.analytic[sourceOf(index)];
  const agrees = (index: number): boolean => {
    const numeric = tensor.numeric[index];
    const transposed = transposedAt(index);
    return Math.abs(transposed - numeric) <= tolerance * Math.max(Math.abs(transposed), Math.abs(numeric)) + 2 * tensor.errorEstimate[index];
  };
  const failing = new Set(tensor.failures.map((f) => f.index));
  const explained = tensor.failures.every(
    (f) => agrees(f.index) && failing.has(sourceOf(f.index)) && Math.abs(transposedAt(f.index) - f.analytic) > slackOf(f, tolerance),
  );
  if (!explained) return false;
  for (let index = 0; index < tensor.size; index++) if (!Number.isNaN(tensor.numeric[index]) && !agrees(index)) return false;
  return true;
}

/** Findings from the contract runs (backward(0), backward(2r)) and the joint check of ties: they hold whatever the entries show. */
function runFindings(tensor: TensorReport, facts: DiagnosisFacts): Diagnosis[] {
  const name = tensor.name;
  const found: Diagnosis[] = [];
  if (facts.evidence.accumulating.has(name)) {
    found.push(finding(name, 'accumulation', `backward() adds to the previous gradient of '${name}' without a reset: backward(0) returned the last gradient. Reset the sum at the start of backward (or of each step)?`));
  } else if (facts.problems.some((p) => p.kind === 'backward-not-linear' && p.tensor === name)) {
    found.push(finding(name, 'chain-rule', `the gradient of '${name}' is not linear in the upstream gradient: is the multiply by the upstream gradient missing, or applied to the wrong entries?`));
  }
  if (tensor.jointFailures.length > 0) {
    found.push(finding(name, 'tied-routing', `tied entries of '${name}' each receive the whole gradient: route it to one of them (or split it), not to every tied maximum.`));
  }
  return found;
}

/** Failures that rule out any pattern (some non-finite), or that sit at kinks outside their slopes. */
function kindFinding(tensor: TensorReport): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  if (failing.some((f) => f.kind === 'non-finite')) {
    const all = failing.every((f) => f.kind === 'non-finite');
    return all ? [finding(name, 'non-finite', `non-finite values in the gradient or the loss of '${name}': a division by zero, log(0) or an overflowing exp?`)] : [];
  }
  if (failing.every((f) => f.kind === 'kink-outside')) {
    return [finding(name, 'kink-side', `at non-differentiable points of '${name}' the analytic value lies outside the one-sided slopes: is the mask's comparison (> vs ≥) or the value chosen at the kink wrong?`)];
  }
  return null;
}

/** No gradient where forward moves: entries never written (or a whole gradient written elsewhere). */
function zeroFinding(tensor: TensorReport): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  if (failing.every(cutOff)) {
    if (tensor.analytic.every((a) => a === 0)) return [finding(name, 'zero', `the analytic gradient of '${name}' is all zeros: does backward() write it (or into another array)?`)];
    const where = failing.length === 1 ? 'an entry' : `${failing.length} entries`;
    return [finding(name, 'zero', `'${name}' gets no gradient on ${where} the loss depends on: is a mask (ReLU, max) applied on the wrong side, or are these entries never written?`)];
  }
  if (failing.every((f) => f.numeric === 0) && tensor.numeric.every((n) => n === 0 || Number.isNaN(n))) {
    return [finding(name, 'zero', `every finite difference of '${name}' is zero while backward gives nonzero values: does forward() read these arrays (or copies made earlier)?`)];
  }
  return null;
}

/**
 * One factor explains every failing entry (a scalar counts when the factor is a whole number or its
 * inverse). A declaration of it is suggested only where it could be a convention: every entry
 * measured, every resolved nonzero entry off by it (a convention scales the whole tensor), and an average.
 */
function factorFinding(tensor: TensorReport, facts: DiagnosisFacts): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  const { tolerance } = facts;
  if (failing.length < 2 && tensor.size > 1) return null;
  const factor = constantFactor(failing, tolerance);
  // A ratio of 1 is no diagnosis (entries failing at ratio ≈ 1 are approximations), nor is 0 (the zero findings say it).
  if (factor === null || Math.abs(factor - 1) <= 10 * tolerance || factor === 0) return null;
  const nice = niceFactor(factor, failing, tolerance);
  if (nice === -1) return [finding(name, 'sign', 'analytic = −numeric: a sign flip?', { factor: -1 })];
  if (failing.length === 1 && !(Number.isInteger(nice) || Number.isInteger(1 / nice))) return null;
  const convention = niceConvention(factor, tensor.gradientFactor, failing, tolerance);
  const wholeTensor = tensor.coverage.measured === tensor.size && everyResolvedFails(tensor);
  if (!wholeTensor || !isAveraging(convention)) {
    const where = failing.length === tensor.size ? '' : ` on the ${failing.length === 1 ? 'failing entry' : `${failing.length} failing entries`}`;
    return [finding(name, 'scale', `${describeFactor(nice)}${where}`, { factor: nice })];
  }
  return [finding(name, 'scale', `${describeFactor(nice)}. ${declarationHint(name, convention, tensor.gradientFactor)}`, { factor: nice, gradientFactor: convention })];
}

/**
 * Conventions average (over the batch, a sequence, the entry count): 1/k for a whole k, or 1 when a
 * declaration was wrong. A gradient 5 × too large is a bug to fix, never a convention to declare.
 */
// 1 / (1 / k) is k only to rounding (1 / (1 / 49) is 49.00000000000001).
const isAveraging = (convention: number): boolean => convention > 0 && convention <= 1 && Math.abs(1 / convention - Math.round(1 / convention)) < 1e-9;

/** Every entry whose finite difference is resolved and nonzero is among the failures. */
function everyResolvedFails(tensor: TensorReport): boolean {
  const failing = new Set(tensor.failures.map((f) => f.index));
  for (let i = 0; i < tensor.size; i++) {
    const numeric = tensor.numeric[i];
    if (Math.abs(numeric) > 2 * tensor.errorEstimate[i] && !failing.has(i)) return false;
  }
  return true;
}

/**
 * Gradient where forward is flat and none where it is not: a mask on the wrong side. Unless the
 * misplaced values are other entries' true gradients (an index off by one column is no mask), and
 * only where some gradient does flow correctly.
 */
function maskFinding(tensor: TensorReport, tolerance: number): Diagnosis[] | null {
  const { name, failures: failing } = tensor;
  const passingFlows = tensor.analytic.some((a, i) => a !== 0 && !failing.some((f) => f.index === i));
  if (!passingFlows || !failing.some(leaks) || !failing.every((f) => leaks(f) || cutOff(f))) return null;
  if (misplaced(tensor, tolerance)) return null;
  const alsoCut = failing.some(cutOff) ? ' and none where it is not' : '';
  return [finding(name, 'kink-side', `'${name}' gets gradient exactly where forward is flat${alsoCut}: is a mask (ReLU, max, a clamp) missing or applied on the wrong side?`)];
}

/** Each leaking value is the measured gradient of another entry: gradients written to the wrong positions. */
function misplaced(tensor: TensorReport, tolerance: number): boolean {
  const truths: number[] = [];
  for (let i = 0; i < tensor.size; i++) if (Math.abs(tensor.numeric[i]) > 2 * tensor.errorEstimate[i]) truths.push(tensor.numeric[i]);
  return tensor.failures.filter(leaks).every((f) => truths.some((n) => Math.abs(n - f.analytic) <= tolerance * Math.abs(n) + 2 * f.errorEstimate + 1e-300));
}

/** The batch-row finding, the transposition, the single entry: each with the evidence it needs. */
function structureFindings(tensor: TensorReport, facts: DiagnosisFacts, chainRule: boolean): Diagnosis[] {
  const { name, failures: failing } = tensor;
  // A backward that ignores the upstream gradient also keeps its value when rows are cut: that is the chain-rule finding already made.
  if (facts.evidence.firstSampleOnly.has(name) && !chainRule) {
    return [finding(name, 'batch-row', `the gradient of '${name}' does not change when every sample but the first is cut from the upstream gradient: is it taken from the first sample instead of summed over the batch?`)];
  }
  const mask = maskFinding(tensor, facts.tolerance);
  if (mask !== null) return mask;
  if (isTransposed(tensor, facts.tolerance)) {
    const what = facts.isInput ? 'its rows and columns swapped?' : 'a transposed weight gradient?';
    return [finding(name, 'transpose', `the analytic gradient of '${name}' matches the transpose of the numeric one: ${what}`)];
  }
  if (failing.length === 1 && tensor.size > 1 && fullyChecked(tensor)) {
    const only = failing[0];
    return [finding(name, 'single-entry', `only ${name}[${only.position.join(',')}] is wrong: an index or a single-term mistake?`, { position: only.position })];
  }
  return [];
}

/** The diagnoses of one tensor; every one holds on every failing entry of it, with the evidence it names. */
export function diagnoseTensor(tensor: TensorReport, facts: DiagnosisFacts): Diagnosis[] {
  const found = runFindings(tensor, facts);
  if (tensor.failures.length === 0) return found;
  const chainRule = found.some((d) => d.kind === 'chain-rule');
  // A factor that explains every failing entry outranks a pattern in where they sit: a ×2 beside a zero-padded sample keeps its value when rows are cut.
  found.push(...(kindFinding(tensor) ?? zeroFinding(tensor) ?? factorFinding(tensor, facts) ?? structureFindings(tensor, facts, chainRule)));
  return found;
}
