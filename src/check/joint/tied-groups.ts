import type { CheckProcess } from '../layer-call.js';
import type { TiedGroup } from '../report-types.js';
import { directionOver } from '../sweep/direction-measurement.js';
import { measurePerturbation, type Measurement } from '../sweep/entry-measurement.js';
import type { SweepContext } from '../sweep/sweep-context.js';
import { acceptFailure, isMeasured, type TensorRecord } from '../sweep/tensor-record.js';

/** Entries a tied group's report lists by position. */
const LISTED_ENTRIES = 16;

/** Pair measurements per tensor for failing entries whose tie is not visible as a kink. */
const MAX_COUPLING_PROBES = 32;

/**
 * The entries of the tensor's scope that share a value with a kink (or with an entry whose kink
 * check failed, or one coupled to a tied partner), one group per value, groups of two or more. Ties
 * are exactly equal values: equal values get equal steps, so moving a group keeps its ties. Zeros
 * beside ReLUs at 0 group too; for them the group has one-sided slopes, and valid subgradients
 * still sum to a valid group value.
 */
export function tiedGroups(record: TensorRecord, coupledValues: ReadonlySet<number> = new Set()): Uint32Array[] {
  const { view } = record.tensor;
  const values = new Set<number>([
    ...coupledValues,
    ...record.kinks.map((k) => view.get(k.index)),
    ...record.failures.filter((f) => f.kind === 'kink-outside').map((f) => view.get(f.index)),
  ]);
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
 * The joint check of ties: each tied group moved as a whole. A group that moves smoothly is judged
 * by its sum alone: its entries' checks alone are no evidence either way (a tie shared by
 * primitives of mixed signs has no one-sided slopes to hold an entry to), so the entries that
 * failed alone are accepted, and the group passes or fails as a whole. A group with one-sided slopes
 * (zeros at ReLUs) must have its sum between them, and its entries keep their own verdicts.
 */
export function* checkTiedGroups(record: TensorRecord, context: SweepContext): CheckProcess<void> {
  const coupled = yield* coupledFailureValues(record, context);
  for (const group of tiedGroups(record, coupled)) {
    const measurement = yield* measureTogether(record, group, context);
    const step = Math.abs(measurement.step);
    const summary = groupSummary(record, group, measurement.analytic / step, measurement, step);
    if (measurement.estimate.kink === null) {
      summary.accepted = acceptMembers(record, group);
      (measurement.verdict.pass ? record.tiedGroups : record.jointFailures).push(summary);
    } else if (!measurement.verdict.pass && !hasFailures(record, group)) {
      // At one-sided slopes (zeros at ReLUs) an entry failing alone already names the error; the group adds nothing.
      record.jointFailures.push(summary);
    }
  }
}

/** Every entry of `entries` moved together by its own step; `step` is the first entry's displacement. */
function* measureTogether(record: TensorRecord, entries: ArrayLike<number>, context: SweepContext): CheckProcess<Measurement & { analytic: number; step: number }> {
  const { view, analytic } = record.tensor;
  const direction = directionOver(view, entries, new Float64Array(entries.length).fill(1), analytic, context);
  const measurement = yield* measurePerturbation(direction.perturbation, direction.analytic, context);
  if (context.measured(measurement.suspicious)) yield* context.catchUp();
  return { ...measurement, analytic: direction.analytic, step: direction.displacements[0] };
}

/**
 * Values of failing entries whose tie shows only jointly: the entry's slopes alone differ by less
 * than their noise (no kink to see), yet moving it with a tied partner is not the sum of moving
 * each alone. A smooth entry that merely shares a value (biases all 0, a permuted gradient among
 * them) is additive, stays out of any group, and keeps its failure.
 */
function* coupledFailureValues(record: TensorRecord, context: SweepContext): CheckProcess<Set<number>> {
  const { view } = record.tensor;
  const coupled = new Set<number>();
  let probes = 0;
  for (const failure of record.failures) {
    if (failure.kind !== 'mismatch' || probes >= MAX_COUPLING_PROBES) continue;
    const value = view.get(failure.index);
    if (coupled.has(value)) continue;
    const partner = tiedPartner(record, failure.index, value);
    if (partner === null) continue;
    probes++;
    const pair = yield* measureTogether(record, [failure.index, partner], context);
    const step = Math.abs(pair.step);
    const alone = record.numeric[failure.index] + record.numeric[partner];
    const noise = pair.estimate.errorEstimate / step + record.errorEstimate[failure.index] + record.errorEstimate[partner];
    if (pair.estimate.kink !== null || Math.abs(pair.estimate.numeric / step - alone) > 2 * noise + context.tolerance * Math.abs(alone)) coupled.add(value);
  }
  return coupled;
}

/** The nearest other measured entry of the scope holding exactly `value`, or null. */
function tiedPartner(record: TensorRecord, index: number, value: number): number | null {
  const { view } = record.tensor;
  let best: number | null = null;
  for (const candidate of record.scope) {
    if (candidate === index || view.get(candidate) !== value || !isMeasured(record, candidate)) continue;
    if (best === null || Math.abs(candidate - index) < Math.abs(best - index)) best = candidate;
  }
  return best;
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
