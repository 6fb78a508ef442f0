import type { CheckProcess } from '../layer-call.js';
import type { TiedGroup } from '../report-types.js';
import { directionOver } from '../sweep/direction-measurement.js';
import { measurePerturbation, type Measurement } from '../sweep/entry-measurement.js';
import type { SweepContext } from '../sweep/sweep-context.js';
import { acceptFailure, type TensorRecord } from '../sweep/tensor-record.js';

/** Entries a tied group's report lists by position. */
const LISTED_ENTRIES = 16;

/**
 * The entries of the tensor's scope that share a value with a kink (or with an entry whose kink
 * check failed), one group per value, groups of two or more. Ties are exactly equal values: equal
 * values get equal steps, so moving a group keeps its ties. Zeros beside ReLUs at 0 group too; for
 * them the group has one-sided slopes, and valid subgradients still sum to a valid group value.
 */
export function tiedGroups(record: TensorRecord): Uint32Array[] {
  const { view } = record.tensor;
  const values = new Set<number>([...record.kinks.map((k) => view.get(k.index)), ...record.failures.filter((f) => f.kind === 'kink-outside').map((f) => view.get(f.index))]);
  if (values.size === 0) return [];
  const members = new Map<number, number[]>();
  for (const index of record.scope) {
    const value = view.get(index);
    if (!values.has(value)) continue;
    const list = members.get(value);
    if (list === undefined) members.set(value, [index]);
    else list.push(index);
  }
  return [...members.values()].filter((list) => list.length >= 2).map((list) => Uint32Array.from(list));
}

/**
 * The joint check of ties: each tied group moved as a whole. A group that moves smoothly and whose
 * analytic sum agrees passes, and accepts the entries of it whose check alone failed (their tie
 * explains them); one whose sum disagrees fails as a whole. A group with one-sided slopes (zeros at
 * ReLUs) must have its sum between them, and its entries keep their own verdicts.
 */
export function* checkTiedGroups(record: TensorRecord, context: SweepContext): CheckProcess<void> {
  const { view, analytic } = record.tensor;
  for (const group of tiedGroups(record)) {
    const direction = directionOver(view, group, new Float64Array(group.length).fill(1), analytic, context);
    const measurement = yield* measurePerturbation(direction.perturbation, direction.analytic, context);
    if (context.measured(measurement.suspicious)) yield* context.catchUp();
    const step = Math.abs(direction.displacements[0]);
    const summary = groupSummary(record, group, direction.analytic / step, measurement, step);
    if (!measurement.verdict.pass) {
      // At one-sided slopes (zeros at ReLUs) an entry failing alone already names the error; the group adds nothing.
      if (measurement.estimate.kink === null || !hasFailures(record, group)) record.jointFailures.push(summary);
    } else if (measurement.estimate.kink === null) {
      summary.accepted = acceptMembers(record, group);
      record.tiedGroups.push(summary);
    }
  }
}

function groupSummary(record: TensorRecord, group: Uint32Array, analyticSum: number, measurement: Measurement, step: number): TiedGroup {
  const { view, analytic } = record.tensor;
  const { estimate, verdict } = measurement;
  const lower = estimate.kink === null ? estimate.numeric : estimate.kink.lower;
  const upper = estimate.kink === null ? estimate.numeric : estimate.kink.upper;
  const listed = Array.from(group.subarray(0, LISTED_ENTRIES), (index) => ({ index, position: view.position(index), analytic: analytic[index] }));
  return {
    value: view.get(group[0]),
    size: group.length,
    entries: listed,
    analytic: analyticSum,
    lower: lower / step,
    upper: upper / step,
    error: verdict.error / step,
    allowed: verdict.allowed / step,
    accepted: 0,
  };
}

function hasFailures(record: TensorRecord, group: Uint32Array): boolean {
  const inGroup = new Set(group);
  return record.failures.some((failure) => inGroup.has(failure.index));
}

/** Accepts the group's entries that failed alone (their tie explains them); how many there were. */
function acceptMembers(record: TensorRecord, group: Uint32Array): number {
  const inGroup = new Set(group);
  const accepted = record.failures.filter((failure) => failure.kind !== 'non-finite' && inGroup.has(failure.index));
  for (const failure of accepted) acceptFailure(record, failure);
  record.failures = record.failures.filter((failure) => !accepted.includes(failure));
  return accepted.length;
}
