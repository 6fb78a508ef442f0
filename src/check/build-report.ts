import type { Dtype } from '../engine/dtype.js';
import { errorBand, normalizedError } from '../engine/normalized-error.js';
import { autoStep } from '../engine/step-size.js';
import type { TensorResult } from './check-tensor.js';
import type { ValidatedOptions } from './options.js';
import type { GradientReport, Problem, TensorReport } from './report-types.js';

export function buildReport(
  checked: TensorResult[],
  problems: Problem[],
  settings: GradientReport['settings'],
  forwardCalls: number,
  backwardCalls: number,
  verdictOverride?: 'impossible',
): GradientReport {
  const tensors: TensorReport[] = checked.map(({ reference: _reference, finiteAnalytic: _finiteAnalytic, ...tensor }) => tensor);
  for (const problem of problems) {
    const tensor = tensors.find((t) => t.name === problem.tensor);
    if (tensor !== undefined && problem.severity === 'failure') tensor.pass = false;
  }
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const allReference = new Float64Array(total);
  const allAnalytic = new Float64Array(total);
  let offset = 0;
  for (const tensor of checked) {
    allReference.set(tensor.reference, offset);
    allAnalytic.set(tensor.finiteAnalytic, offset);
    offset += tensor.size;
  }
  const overall = normalizedError(allReference, allAnalytic, total);
  const pass = verdictOverride === undefined && problems.length === 0 && tensors.every((t) => t.pass);
  return {
    pass,
    verdict: verdictOverride ?? (pass ? 'pass' : 'fail'),
    normalizedError: overall,
    band: errorBand(overall, settings.dtype),
    tensors,
    problems,
    kinkCount: tensors.reduce((n, t) => n + t.kinks.length, 0),
    unresolvedCount: tensors.reduce((n, t) => n + t.unresolved, 0),
    forwardCalls,
    backwardCalls,
    settings,
  };
}

/** Which step and tolerance applied and where they came from, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
export function defaultsNote(dtype: Dtype, options: ValidatedOptions, tolerance: number): string {
  const short = (x: number): string => (x >= 1e-3 && x < 1e4 ? String(x) : x.toExponential().replace('e+', 'e'));
  const epsilon = options.epsilon === 'auto' ? `epsilon auto = ${autoStep(1, dtype).toExponential(1)}·max(1, |θ|)` : `epsilon ${short(options.epsilon)}`;
  const given = [options.epsilon !== 'auto' ? 'epsilon' : '', options.tolerance !== undefined ? 'tolerance' : ''].filter((g) => g !== '');
  const values = `${epsilon}, tolerance ${short(tolerance)}`;
  return given.length === 0 ? `${dtype} defaults (${values})` : `${dtype}, ${values} (${given.join(' and ')} given)`;
}
