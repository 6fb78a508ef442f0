import type { GradientReport, Problem, TensorReport } from '../report-types.js';
import { coverageShortfall } from './coverage.js';

/**
 * The verdict rule, in one place. A tensor passes when no entry failed (alone or jointly with a
 * coupled kink), every entry was resolved or is negligible, and its coverage has no shortfall.
 */
export function tensorPasses(tensor: TensorReport): boolean {
  return (
    tensor.failures.length === 0 && tensor.jointFailures.length === 0 && tensor.inconclusive.length === 0 && coverageShortfall(tensor) === null
  );
}

/**
 * A tensor's pass in the report: the explicit opt-in accepts what could not be resolved, never what
 * failed, and a failing problem about the tensor fails it.
 */
export function reportedPass(tensor: TensorReport, allowInconclusive: boolean, problems: readonly Problem[]): boolean {
  const accepted = tensor.pass || (allowInconclusive && tensor.failures.length === 0 && tensor.jointFailures.length === 0);
  return accepted && !problems.some((p) => p.tensor === tensor.name && p.severity === 'failure');
}

/**
 * The verdict, from the most to the least decisive evidence: a problem that prevents any verdict,
 * then a wrong gradient, then gradients that could not be resolved (or a check that stopped before
 * its end). Only what is left passes.
 */
export function verdictOf(tensors: readonly TensorReport[], problems: readonly Problem[]): GradientReport['verdict'] {
  if (problems.some((p) => p.severity === 'impossible')) return 'impossible';
  if (problems.some((p) => p.severity === 'failure') || tensors.some((t) => t.failures.length > 0 || t.jointFailures.length > 0)) return 'fail';
  if (problems.some((p) => p.severity === 'inconclusive') || tensors.some((t) => !t.pass)) return 'inconclusive';
  return 'pass';
}
