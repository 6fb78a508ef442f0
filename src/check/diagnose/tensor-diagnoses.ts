import type { EntryFailure, Problem, TensorReport } from './report-types.js';

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
  | 'non-finite';

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

/** Evidence only a further backward run can give (see check-process.ts). */
export interface BackwardEvidence {
  /** Tensors whose gradient did not change when the upstream gradient was cut to the first sample (row 0 of the output). */
  firstSampleOnly: ReadonlySet<string>;
  /** Tensors whose backward(0) returned the previous gradient and backward(2r) three times it: a sum never reset. */
  accumulating: ReadonlySet<string>;
}

/** The deviation an entry may show and still count as following a pattern: its tolerance plus its own error bar. */
const slackOf = (failure: EntryFailure, tolerance: number): number =>
  tolerance * Math.max(Math.abs(failure.analytic), Math.abs(failure.numeric)) + 2 * failure.errorEstimate;

/** Whether analytic ≈ factor × numeric holds on every failing entry, within its slack. */
const explains = (factor: number, failing: EntryFailure[], tolerance: number): boolean =>
  failing.every((f) => Math.abs(f.analytic - factor * f.numeric) <= slackOf(f, tolerance) + tolerance * Math.abs(factor * f.numeric));

/** The least-squares factor a ≈ f·n over the failing entries, if it explains every one of them. */
function constantFactor(failing: EntryFailure[], tolerance: number): number | null {
  let numerator = 0;
  let denominator = 0;
  for (const f of failing) {
    numerator += f.analytic * f.numeric;
    denominator += f.numeric * f.numeric;
  }
  if (!(denominator > 0)) return null;
  const factor = numerator / denominator;
  return explains(factor, failing, tolerance) ? factor : null;
}

/** The nearest whole number and the nearest inverse of one (3 and 1/3 for 2.9 or 0.34), where finite and nonzero. */
const roundCandidates = (value: number): number[] =>
  [Math.round(value), Math.sign(value) / Math.round(1 / Math.abs(value))].filter((c) => Number.isFinite(c) && c !== 0);

/** A factor as people say it: 3, ½ → 1/2, or 4 significant digits; rounded only where every entry allows it. */
function niceFactor(factor: number, failing: EntryFailure[], tolerance: number): number {
  for (const candidate of roundCandidates(factor)) if (explains(candidate, failing, tolerance)) return candidate;
  return Number(factor.toPrecision(4));
}

/**
 * The convention backward follows, factor × declared, rounded to a whole number or its inverse only
 * where every entry allows it. Rounded from the unrounded factor: the 4 digits of `niceFactor`
 * times a declared 1/4 would turn 1/3 into 0.33325, a declaration that still fails.
 */
function niceConvention(factor: number, declared: number, failing: EntryFailure[], tolerance: number): number {
  const total = factor * declared;
  for (const candidate of roundCandidates(total)) if (explains(candidate / declared, failing, tolerance)) return candidate;
  return total;
}

function describeFactor(factor: number): string {
  const magnitude = Math.abs(factor);
  const sign = factor < 0 ? ' and a sign flip' : '';
  if (Number.isInteger(magnitude) && magnitude >= 2) {
    const guess = magnitude === 2 ? 'a term counted twice, or a missing division by 2' : `a missing division by ${magnitude}, the batch size or a count`;
    return `analytic ≈ ${magnitude} × numeric${sign}: a factor ${magnitude} too large (${guess}?)`;
  }
  const inverse = Math.round(1 / magnitude);
  if (inverse >= 2 && Math.abs(magnitude - 1 / inverse) < 1e-12) {
    const guess = inverse === 2 ? 'a halved term, or a missing factor 2 from a square' : `an extra division by ${inverse}, the batch size or a count`;
    return `analytic ≈ numeric / ${inverse}${sign}: a factor ${inverse} too small (${guess}?)`;
  }
  return `analytic ≈ ${factor} × numeric on every failing entry: a constant factor is off`;
}

/** `3`, `1 / 3`, or the number: the factor as a user would type it. */
function factorSource(factor: number): string {
  const inverse = 1 / factor;
  if (Number.isInteger(factor)) return String(factor);
  if (Number.isInteger(inverse)) return inverse < 0 ? `-1 / ${-inverse}` : `1 / ${inverse}`;
  return String(Number(factor.toPrecision(6)));
}

/**
 * Libraries that average over the batch (or a sequence, or the entry count) produce a constant
 * multiple of the gradient on purpose: the option that says so, with the factor to give.
 */
function declarationHint(name: string, total: number, declared: number): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
  const option = `{ gradientFactor: { ${key}: ${factorSource(total)} } }`;
  if (declared !== 1) return `The declared gradientFactor ${factorSource(declared)} does not explain it; if the convention is ${factorSource(total)}, declare ${option}`;
  return `If the library scales this gradient on purpose (averaging over the batch), declare it: ${option}`;
}

/**
 * The one factor every parameter's scale diagnosis asks to declare, when there is one (and nothing
 * was declared): then a single number `{ gradientFactor: f }` is the declaration, not one key per tensor.
 */
function sharedConvention(diagnoses: readonly Diagnosis[], parameters: readonly TensorReport[]): number | null {
  if (parameters.length < 2 || parameters.some((tensor) => tensor.gradientFactor !== 1)) return null;
  const asked = parameters.map((tensor) => {
    const own = diagnoses.filter((d) => d.tensor === tensor.name);
    return own.length === 1 && own[0].kind === 'scale' ? own[0].gradientFactor : undefined;
  });
  const first = asked[0];
  return first !== undefined && asked.every((factor) => factor === first) ? first : null;
}

/**
 * The diagnoses with the parameters' scale hints merged into one `{ gradientFactor: f }` when every
 * parameter shows the same convention. Inputs keep their own hint: a number never applies to them.
 */
export function withSharedConvention(diagnoses: Diagnosis[], parameters: readonly TensorReport[]): Diagnosis[] {
  const shared = sharedConvention(diagnoses, parameters);
  if (shared === null) return diagnoses;
  const names = new Set(parameters.map((tensor) => tensor.name));
  const hint = `Every parameter shows this factor; if the library scales its gradients on purpose (averaging over the batch), declare it once: { gradientFactor: ${factorSource(shared)} }`;
  return diagnoses.map((d) => (d.kind === 'scale' && names.has(d.tensor) ? { ...d, message: `${describeFactor(d.factor as number)}. ${hint}` } : d));
}

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

/** The diagnoses of one tensor; every one holds on every failing entry of it. */
export function diagnoseTensor(tensor: TensorReport, problems: readonly Problem[], evidence: BackwardEvidence, tolerance: number): Diagnosis[] {
  const name = tensor.name;
  const out: Diagnosis[] = [];
  const add = (kind: DiagnosisKind, message: string, extra: Partial<Diagnosis> = {}): void => {
    out.push({ kind, tensor: name, message, ...extra });
  };
  if (evidence.accumulating.has(name)) {
    add('accumulation', `backward() adds to the previous gradient of '${name}' without a reset: backward(0) returned the last gradient. Reset the sum at the start of backward (or of each step)?`);
  } else if (problems.some((p) => p.kind === 'backward-not-linear' && p.tensor === name)) {
    add('chain-rule', `the gradient of '${name}' is not linear in the upstream gradient: is the multiply by the upstream gradient missing, or applied to the wrong entries?`);
  }
  if (tensor.jointFailures.length > 0) {
    add('tied-routing', `tied entries of '${name}' each receive the whole gradient: route it to one of them (or split it), not to every tied maximum.`);
  }
  const failing = tensor.failures;
  if (failing.length === 0) return out;
  if (failing.some((f) => f.kind === 'non-finite')) {
    if (failing.every((f) => f.kind === 'non-finite')) add('non-finite', `non-finite values in the gradient or the loss of '${name}': a division by zero, log(0) or an overflowing exp?`);
    return out;
  }
  if (failing.every((f) => f.kind === 'kink-outside')) {
    add('kink-side', `at non-differentiable points of '${name}' the analytic value lies outside the one-sided slopes: is the mask's comparison (> vs ≥) or the value chosen at the kink wrong?`);
    return out;
  }
  // Evidence from another backward run outranks a pattern in the values: a bias summed over the first
  // sample only can look like a mask where that sample's unit is dead.
  const chainRule = out.some((d) => d.kind === 'chain-rule');
  // A backward that ignores the upstream gradient also keeps its value when rows are cut: that is the chain-rule finding already made.
  if (evidence.firstSampleOnly.has(name) && !chainRule) {
    add('batch-row', `the gradient of '${name}' does not change when every sample but the first is cut from the upstream gradient: is it taken from the first sample instead of summed over the batch?`);
    return out;
  }
  // An entry is resolved nonzero when its finite difference is more than twice its own error bar, flat when not.
  const resolvedNonzero = (f: EntryFailure): boolean => Math.abs(f.numeric) > 2 * f.errorEstimate;
  const flat = (f: EntryFailure): boolean => Math.abs(f.numeric) <= 2 * f.errorEstimate;
  const cutOff = (f: EntryFailure): boolean => f.analytic === 0 && resolvedNonzero(f);
  const leaks = (f: EntryFailure): boolean => f.analytic !== 0 && flat(f);
  if (failing.every(cutOff)) {
    if (tensor.analytic.every((a) => a === 0)) {
      add('zero', `the analytic gradient of '${name}' is all zeros: does backward() write it (or into another array)?`);
    } else {
      add(
        'zero',
        `'${name}' gets no gradient on ${failing.length === 1 ? 'an entry' : `${failing.length} entries`} the loss depends on: ` +
          'is a mask (ReLU, max) applied on the wrong side, or are these entries never written?',
      );
    }
    return out;
  }
  // A mask on the wrong side shows both ways: gradient where forward is flat, none where it is not.
  const passingFlows = tensor.analytic.some((a, i) => a !== 0 && !failing.some((f) => f.index === i));
  if (passingFlows && failing.some(leaks) && failing.every((f) => leaks(f) || cutOff(f))) {
    add('kink-side', `'${name}' gets gradient exactly where forward is flat${failing.some(cutOff) ? ' and none where it is not' : ''}: is a mask (ReLU, max, a clamp) missing or applied on the wrong side?`);
    return out;
  }
  if (failing.every((f) => f.numeric === 0) && tensor.numeric.every((n) => n === 0 || Number.isNaN(n))) {
    add('zero', `every finite difference of '${name}' is zero while backward gives nonzero values: does forward() read these arrays (or copies made earlier)?`);
    return out;
  }
  if (failing.length >= 2) {
    if (isTransposed(tensor, tolerance)) {
      add('transpose', `the analytic gradient of '${name}' matches the transpose of the numeric one: a transposed weight gradient?`);
      return out;
    }
    const factor = constantFactor(failing, tolerance);
    // A ratio of 1 is no diagnosis: entries that fail at ratio ≈ 1 are approximations, not a factor.
    if (factor !== null && Math.abs(factor - 1) > 10 * tolerance) {
      const nice = niceFactor(factor, failing, tolerance);
      if (nice === -1) add('sign', 'analytic = −numeric: a sign flip?', { factor: -1 });
      else {
        const convention = niceConvention(factor, tensor.gradientFactor, failing, tolerance);
        add('scale', `${describeFactor(nice)}. ${declarationHint(name, convention, tensor.gradientFactor)}`, { factor: nice, gradientFactor: convention });
      }
    }
  }
  if (failing.length === 1 && tensor.size > 1) {
    const only = failing[0];
    add('single-entry', `only ${name}[${only.position.join(',')}] is wrong: an index or a single-term mistake?`, { position: only.position });
  }
  return out;
}
