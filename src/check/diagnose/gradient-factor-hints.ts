import type { Diagnosis, EntryFailure, TensorReport } from '../report-types.js';

/** The deviation an entry may show and still count as following a pattern: its tolerance plus its own error bar. */
export const slackOf = (failure: EntryFailure, tolerance: number): number =>
  tolerance * Math.max(Math.abs(failure.analytic), Math.abs(failure.numeric)) + 2 * failure.errorEstimate;

/** Whether analytic ≈ factor × numeric holds on every failing entry, within its slack. */
const explains = (factor: number, failing: EntryFailure[], tolerance: number): boolean =>
  failing.every((f) => Math.abs(f.analytic - factor * f.numeric) <= slackOf(f, tolerance) + tolerance * Math.abs(factor * f.numeric));

/** The least-squares factor a ≈ f·n over the failing entries, if it explains every one of them. */
export function constantFactor(failing: EntryFailure[], tolerance: number): number | null {
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
export function niceFactor(factor: number, failing: EntryFailure[], tolerance: number): number {
  for (const candidate of roundCandidates(factor)) if (explains(candidate, failing, tolerance)) return candidate;
  return Number(factor.toPrecision(4));
}

/**
 * The convention backward follows, factor × declared, rounded to a whole number or its inverse only
 * where every entry allows it. Rounded from the unrounded factor: the 4 digits of `niceFactor`
 * times a declared 1/4 would turn 1/3 into 0.33325, a declaration that still fails.
 */
export function niceConvention(factor: number, declared: number, failing: EntryFailure[], tolerance: number): number {
  const total = factor * declared;
  for (const candidate of roundCandidates(total)) if (explains(candidate / declared, failing, tolerance)) return candidate;
  return total;
}

export function describeFactor(factor: number): string {
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
export function declarationHint(name: string, total: number, declared: number): string {
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
