/**
 * How many forward calls an exhaustive check of a layer too large to run exhaustively would make,
 * from an exhaustive check actually run on a smaller layer of the same kind.
 *
 * An exhaustive check makes 1 first forward call, 1 forward before each backward call,
 * MIN_CENTER_CHECKS re-evaluations of the unperturbed point, and, in proportion to the entries,
 * the loss evaluations of each entry (4, more where the step is grown) plus one more re-evaluation
 * per few dozen entries. The fixed part is counted; the proportional part is measured per entry.
 */
import { MIN_CENTER_CHECKS } from '../src/check/sweep/determinism.js';
import type { GradientReport } from '../src/index.js';

export interface ExhaustiveCallModel {
  /** Forward calls that do not grow with the entries. */
  fixedCalls: number;
  /** Forward calls per checked entry, measured. */
  callsPerEntry: number;
  /** Entries of the measured layer. */
  measuredEntries: number;
  predict(entries: number): number;
}

export const checkedEntries = (report: GradientReport): number => report.tensors.reduce((n, tensor) => n + tensor.size, 0);

export function exhaustiveCallModel(measured: GradientReport): ExhaustiveCallModel {
  if (measured.mode.kind !== 'exhaustive') throw new TypeError(`The model needs an exhaustive check, but got mode ${measured.mode.kind}.`);
  const measuredEntries = checkedEntries(measured);
  const fixedCalls = 1 + measured.backwardCalls + MIN_CENTER_CHECKS;
  const callsPerEntry = (measured.forwardCalls - fixedCalls) / measuredEntries;
  return { fixedCalls, callsPerEntry, measuredEntries, predict: (entries) => Math.round(fixedCalls + callsPerEntry * entries) };
}
