import type { EntryFailure, GradientReport, JointKinkFailure, TensorReport, TiedGroup } from '../check/report-types.js';
import { compareFailures } from '../check/resolve/failure-order.js';
import { entryLabel, formatPosition } from '../engine/position-text.js';
import { layerLabel } from '../check/attribute/through-layer.js';
import { layersHeadline, layersSection, prefixedReport } from './layers-section.js';
import { formatNumber } from '../engine/format-number.js';
import { failureMap } from './failure-map.js';

export interface FormatOptions {
  /** Failing entries listed before "… and N more". Default 10. */
  maxEntries?: number;
  /** Add a line with the check's wall time and calls. Off by default, so a report's text is the same on every machine. */
  timings?: boolean;
}

const DEFAULT_MAX_ENTRIES = 10;

interface LabelledFailure {
  tensor: string;
  failure: EntryFailure;
}

/**
 * The `limit` worst failing entries across tensors (the order of `compareFailures`). Each tensor's
 * failures are already sorted, so only the first `limit` of each can be among them: a report with
 * a million failures is not sorted again to print ten.
 */
export function worstFailures(report: GradientReport, limit = Infinity): LabelledFailure[] {
  const candidates = report.tensors.flatMap((tensor) => tensor.failures.slice(0, limit).map((failure) => ({ tensor: tensor.name, failure })));
  return candidates.sort((a, b) => compareFailures(a.failure, b.failure)).slice(0, limit);
}

/** How a check covered its entries, for headlines: everything measured, or a projection, a sample, a shard. */
function coverageHeadline(report: GradientReport): string | null {
  const inScope = report.tensors.reduce((n, t) => n + t.coverage.inScope, 0);
  const measured = report.tensors.reduce((n, t) => n + t.coverage.measured, 0);
  const shard = report.mode.shard === null ? '' : ` of shard ${report.mode.shard.index}/${report.mode.shard.count}`;
  if (report.mode.kind === 'projection') {
    const screenedTo = Math.max(0, ...report.tensors.map((t) => t.coverage.screenedTo ?? 0));
    const to = screenedTo > 0 ? `, each screened to ${formatNumber(screenedTo)} of its gradient or better` : '';
    return `No gradient entry disagrees among the ${inScope} entries${shard} screened by projection with localization (${measured} measured one by one${to})`;
  }
  if (report.mode.kind === 'sample') return `All ${measured} entries measured (a sample of the ${inScope}${shard}) agree with finite differences`;
  if (report.mode.shard !== null) return `All ${inScope} gradient entries${shard} agree with finite differences`;
  return null;
}

/** Which mode ran, and why. */
function modeLine(report: GradientReport): string | null {
  const { mode } = report;
  const shard = mode.shard === null ? '' : `, shard ${mode.shard.index} of ${mode.shard.count}`;
  if (mode.kind === 'projection') {
    return `Mode: projection with localization, blocks of up to ${mode.blockSize} entries of similar gradient, each entry in two blocks${shard} (${mode.reason}).`;
  }
  if (mode.kind === 'sample') return `Mode: a seeded sample of entries measured one by one${shard} (${mode.reason}).`;
  return `Mode: exhaustive, every entry measured one by one${shard} (${mode.reason}).`;
}

/** Coverage of a tensor not measured entry by entry: how many were, and the projection's floor. */
function coverageNote(tensor: TensorReport): string {
  const { coverage } = tensor;
  if (coverage.measured >= coverage.inScope && coverage.inScope === tensor.size) return '';
  const parts = [`measured ${coverage.measured} of ${coverage.inScope}`];
  if (coverage.screened > 0) {
    const to = coverage.screenedTo === null ? '' : ` to ${formatNumber(coverage.screenedTo)} relative`;
    parts.push(`screened ${coverage.screened}${to}`);
  }
  if (coverage.weak > 0) parts.push(`${coverage.weak} drowned by larger gradients in their blocks`);
  if (coverage.screenedUnresolved > 0) parts.push(`${coverage.screenedUnresolved} screened but unresolved`);
  if (coverage.failingBlocks.length > 0) parts.push(`${coverage.failingBlocks.length} failing blocks not localized`);
  if (coverage.unlocalized.length > 0) parts.push(`${coverage.unlocalized.length} disagreements not localized`);
  if (coverage.skipped > 0) parts.push(`${coverage.skipped} not reached`);
  return `  [${parts.join('; ')}]`;
}

function settingsLine(report: GradientReport): string {
  const { settings } = report;
  return `seed ${settings.seed}, ${settings.defaultsNote}${settings.richardson ? ', Richardson' : ''}`;
}

const groupsWord = (n: number): string => (n === 1 ? '1 tied group' : `${n} tied groups`);

function tensorStatus(tensor: TensorReport): string {
  const parts: string[] = [];
  if (tensor.failures.length > 0) parts.push(`${tensor.failures.length} of ${tensor.size} wrong`);
  if (tensor.jointFailures.length > 0) parts.push(`${groupsWord(tensor.jointFailures.length)} wrong together`);
  if (tensor.inconclusive.length > 0) parts.push(`${tensor.inconclusive.length} of ${tensor.size} unresolved`);
  if (parts.length === 0) return tensor.pass ? 'ok' : 'failed (see above)';
  return parts.join(', ');
}

/**
 * The band, qualified where it would mislead: a tensor with unresolved entries has a normalized
 * error made of noise, and a passing tensor's "bug" band may come only from negligible entries.
 */
function bandLabel(tensor: TensorReport): string {
  // The band measures entries one by one; coupled entries wrong together do not move it.
  if (tensor.failures.length === 0 && tensor.jointFailures.length > 0) return `${tensor.band} entry by entry, wrong together`;
  if (tensor.failures.length === 0 && tensor.inconclusive.length > 0) return 'unresolved';
  if (tensor.failures.length === 0 && tensor.band !== 'correct' && tensor.negligible > 0) {
    return `${tensor.band} band, from ${tensor.negligible} negligible ${tensor.negligible === 1 ? 'entry' : 'entries'}`;
  }
  return tensor.band;
}

function tensorLine(tensor: TensorReport, nameWidth: number, statusWidth: number): string {
  const name = tensor.name.padEnd(nameWidth);
  const shape = (tensor.ragged ? `ragged(${tensor.size})` : formatPosition(tensor.shape)).padEnd(10);
  const status = tensorStatus(tensor);
  const kinks = tensor.kinks.length > 0 ? `, ${tensor.kinks.length} at kinks` : '';
  const factor = tensor.gradientFactor === 1 ? '' : `, analytic = backward ÷ ${formatNumber(tensor.gradientFactor)} (declared gradientFactor)`;
  return `  ${name}  ${shape}  ${status.padEnd(statusWidth)}  normalized error ${formatNumber(tensor.normalizedError)} (${bandLabel(tensor)})${kinks}${factor}${coverageNote(tensor)}`;
}

function failureLine(entry: LabelledFailure, labelWidth: number): string {
  const { failure } = entry;
  const label = entryLabel(entry.tensor, failure.position).padEnd(labelWidth);
  const note =
    failure.kind === 'non-finite'
      ? Number.isFinite(failure.analytic)
        ? '  (the loss became non-finite when this entry was perturbed)'
        : '  (the analytic gradient is not finite)'
      : failure.kind === 'kink-outside'
        ? '  (at a kink, outside the one-sided slopes)'
        : '';
  const error = failure.kind === 'non-finite' ? 'n/a' : formatNumber(failure.error);
  const numeric = `${formatNumber(failure.numeric)} ±${formatNumber(failure.errorEstimate)}`;
  return (
    `  ${label}  analytic ${formatNumber(failure.analytic).padStart(10)}  numeric ${numeric.padStart(19)}` +
    `  error ${error.padStart(9)}  allowed ${formatNumber(failure.allowed)}${note}`
  );
}

/** The first line: the verdict in words, with the counts it rests on and the settings. */
function headline(report: GradientReport): string {
  const failingEntries = report.tensors.reduce((n, t) => n + t.failures.length, 0);
  const totalEntries = report.tensors.reduce((n, t) => n + t.size, 0);
  if (report.verdict === 'impossible') return `The gradients could not be checked (${settingsLine(report)}):`;
  if (report.verdict === 'inconclusive') {
    const unresolvedTensors = report.tensors.filter((t) => t.inconclusive.length > 0).length;
    return (
      `Inconclusive: ${report.inconclusiveCount} of ${totalEntries} gradient entries could not be resolved, in ${unresolvedTensors} of ${report.tensors.length} tensors, ` +
      `so a wrong gradient there would not show; no resolved entry disagrees (${settingsLine(report)}).`
    );
  }
  if (report.pass) {
    return `${coverageHeadline(report) ?? `All ${totalEntries} gradient entries agree with finite differences`} (${settingsLine(report)}).`;
  }
  if (failingEntries === 0 && report.tensors.every((t) => t.jointFailures.length === 0)) {
    // Failed on problems alone (backward changed its upstream gradient, …): say so, not "0 of 0 disagree".
    const count = report.problems.length;
    const compared = report.tensors.length === 0 ? 'before any gradient could be compared' : `although all ${totalEntries} gradient entries agree`;
    return `The layer fails the check on ${count === 1 ? 'a problem' : `${count} problems`} ${compared} (${settingsLine(report)}):`;
  }
  const failingTensors = report.tensors.filter((t) => !t.pass).length;
  const jointCount = report.tensors.reduce((n, t) => n + t.jointFailures.length, 0);
  const entries =
    failingEntries === 0 ? `No gradient entry of ${totalEntries} disagrees alone` : `${failingEntries} of ${totalEntries} gradient entries disagree`;
  const joint = jointCount === 0 ? '' : `${failingEntries === 0 ? ', but' : ', and'} ${groupsWord(jointCount)} of entries disagree together`;
  return `${entries}${joint}, in ${failingTensors} of ${report.tensors.length} tensors (${settingsLine(report)}).`;
}

/** One line per tensor and the overall normalized error. */
function tensorSection(report: GradientReport): string[] {
  if (report.tensors.length === 0) return [];
  const failingEntries = report.tensors.reduce((n, t) => n + t.failures.length, 0);
  const nameWidth = Math.max(...report.tensors.map((t) => t.name.length));
  const statusWidth = Math.max(16, ...report.tensors.map((t) => tensorStatus(t).length));
  const jointOnly = failingEntries === 0 && report.tensors.some((t) => t.jointFailures.length > 0);
  const overallBand = report.verdict === 'inconclusive' ? 'unresolved' : jointOnly ? `${report.band} entry by entry, wrong together` : report.band;
  return [
    '',
    ...report.tensors.map((tensor) => tensorLine(tensor, nameWidth, statusWidth)),
    `  overall normalized error ${formatNumber(report.normalizedError)} (${overallBand})`,
  ];
}

/** The worst failing entries, and the projection blocks that disagree but were not localized. */
function failureSection(report: GradientReport, maxEntries: number): string[] {
  const lines: string[] = [];
  const failingEntries = report.tensors.reduce((n, t) => n + t.failures.length, 0);
  const shown = worstFailures(report, maxEntries);
  if (shown.length > 0) {
    lines.push('', 'Worst entries:');
    const labelWidth = Math.max(...shown.map((e) => entryLabel(e.tensor, e.failure.position).length));
    for (const entry of shown) lines.push(failureLine(entry, labelWidth));
    if (failingEntries > shown.length) lines.push(`  … and ${failingEntries - shown.length} more`);
  }
  const failingBlocks = report.tensors.flatMap((t) => t.coverage.failingBlocks.map((block) => ({ tensor: t.name, block })));
  if (failingBlocks.length > 0) {
    const entries = failingBlocks.reduce((n, { block }) => n + block.entries, 0);
    const [first] = failingBlocks;
    lines.push(
      '',
      `${failingBlocks.length} more blocks (${entries} entries) disagree in projection and were not localized, as enough wrong entries were already located ` +
        `(first: ${entryLabel(first.tensor, first.block.first)} to ${entryLabel(first.tensor, first.block.last)}).`,
    );
  }
  return lines;
}

/** What the absolute tolerance is a fraction of. */
const scaleSource = (report: GradientReport): string =>
  report.gradientScaleFrom === 'outputs'
    ? `${formatNumber(report.gradientScale)}, the largest entry of the projection r: no gradient was resolved at all, so the outputs set the scale`
    : `the largest resolved gradient ${formatNumber(report.gradientScale)}`;

/** Passing entries checked only to the absolute tolerance, and entries at kinks. */
function acceptedSection(report: GradientReport, maxEntries: number): string[] {
  const lines: string[] = [];
  if (report.negligibleCount > 0) {
    const where = report.tensors.filter((t) => t.negligible > 0).map((t) => `${t.name} ${t.negligible}`).join(', ');
    lines.push(
      '',
      `${report.negligibleCount} passing ${report.negligibleCount === 1 ? 'entry was' : 'entries were'} checked only to the absolute tolerance ${formatNumber(report.absoluteTolerance)} ` +
        `(tolerance × ${scaleSource(report)}; ${where}): any error they could hide is negligible against the layer's gradients.`,
    );
  }
  if (report.kinkCount > 0) {
    lines.push(
      '',
      `${report.kinkCount} ${report.kinkCount === 1 ? 'entry sits' : 'entries sit'} at non-differentiable points (kinks); their analytic values are valid subgradients:`,
    );
    const kinks = report.tensors.flatMap((t) => t.kinks.map((kink) => ({ tensor: t.name, kink })));
    for (const { tensor, kink } of kinks.slice(0, maxEntries)) {
      lines.push(`  ${entryLabel(tensor, kink.position)}  analytic ${formatNumber(kink.analytic)} in [${formatNumber(kink.lower)}, ${formatNumber(kink.upper)}]`);
    }
    if (kinks.length > maxEntries) lines.push(`  … and ${kinks.length - maxEntries} more`);
  }
  return lines;
}

/** The worst entries of each wrong layer of a sequence, from its own check, under the sequence's names. */
function wrongLayerEntries(report: GradientReport, maxEntries: number): string[] {
  const lines: string[] = [];
  for (const layer of report.layers ?? []) {
    const own = layer.verdict === 'fail' ? prefixedReport(layer) : null;
    if (own === null) continue;
    const section = failureSection(own, maxEntries);
    if (section.length > 1) lines.push('', `Worst entries of ${layerLabel(layer)}, checked on its own:`, ...section.slice(2));
  }
  if (lines.length > 0) lines.push('', 'The sequence checked as a whole:');
  return lines;
}

/** Plain-text report: a summary line, one line per tensor, the worst entries, likely causes, problems. */
export function formatReport(report: GradientReport, options: FormatOptions = {}): string {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const layers = layersHeadline(report);
  const lines: string[] = [...(layers === null ? [] : [layers]), headline(report)];
  const mode = modeLine(report);
  if (mode !== null) lines.push(mode);
  if (options.timings === true) lines.push(`Took ${formatNumber(report.elapsedSeconds)} s for ${report.evaluations} calls into the layer.`);
  for (const problem of report.problems) lines.push(`  ✗ ${problem.message}`);
  lines.push(...layersSection(report), ...wrongLayerEntries(report, maxEntries));
  lines.push(...tensorSection(report), ...failureSection(report, maxEntries), ...jointSection(report, maxEntries));
  if (report.diagnoses.length > 0) {
    lines.push('', 'Likely cause:');
    for (const diagnosis of report.diagnoses) lines.push(`  ${diagnosis.tensor}: ${diagnosis.message}`);
  }
  for (const tensor of report.tensors) {
    const map = failureMap(tensor);
    if (map !== null) lines.push('', ...map);
  }
  lines.push(...unresolvedSection(report, maxEntries), ...acceptedSection(report, maxEntries), ...tiedSection(report));
  return lines.join('\n');
}

/** `input[0,0,0] + input[0,1,1]`, or the first entries and how many more for a large tie. */
function jointLabel(tensor: string, group: JointKinkFailure): string {
  const shown = group.entries.slice(0, 3).map((entry) => entryLabel(tensor, entry.position));
  return group.size > shown.length ? `${shown.join(' + ')} + … (${group.size} tied)` : shown.join(' + ');
}

/** The group's slopes: one value where it moves smoothly, else the interval of its one-sided slopes. */
const groupSlopes = (group: TiedGroup): string =>
  group.lower === group.upper ? `numeric ${formatNumber(group.lower)}` : `one-sided slopes [${formatNumber(group.lower)}, ${formatNumber(group.upper)}]`;

/** Tied entries wrong together (a gradient routed to every tied maximum). */
function jointSection(report: GradientReport, maxEntries: number): string[] {
  const joint = report.tensors.flatMap((t) => t.jointFailures.map((failure) => ({ tensor: t.name, failure })));
  if (joint.length === 0) return [];
  const lines = ['', 'Tied entries wrong together (moved together, their ties hold, and the sum of their gradients must match):'];
  const shown = joint.slice(0, maxEntries);
  const labelWidth = Math.max(...shown.map(({ tensor, failure }) => jointLabel(tensor, failure).length));
  for (const { tensor, failure } of shown) {
    lines.push(
      `  ${jointLabel(tensor, failure).padEnd(labelWidth)}  analytic together ${formatNumber(failure.analytic)}  ${groupSlopes(failure)}` +
        `  error ${formatNumber(failure.error)}  allowed ${formatNumber(failure.allowed)}`,
    );
  }
  if (joint.length > shown.length) lines.push(`  … and ${joint.length - shown.length} more`);
  return lines;
}

/** Tied groups that passed together, and the entries whose verdict alone their tie replaced. */
function tiedSection(report: GradientReport): string[] {
  const groups = report.tensors.flatMap((t) => t.tiedGroups.map((group) => ({ tensor: t.name, group })));
  if (groups.length === 0) return [];
  const entries = groups.reduce((n, { group }) => n + group.size, 0);
  const accepted = groups.reduce((n, { group }) => n + group.accepted, 0);
  const where = groups.map(({ tensor, group }) => `${group.size} of ${tensor} at ${formatNumber(group.value)}`).join(', ');
  return [
    '',
    `${entries} tied entries (${where}) were judged together: moved as one, their ties hold and the sum of their gradients matched` +
      (accepted > 0 ? `; ${accepted} of them ${accepted === 1 ? 'fails' : 'fail'} alone, as a valid routing among ties can (a tie shared by windows or rows of mixed signs has no one-sided slopes to hold it to).` : '.'),
  ];
}

/** Significant entries the step could not resolve, why, and what would resolve them. */
function unresolvedSection(report: GradientReport, maxEntries: number): string[] {
  if (report.inconclusiveCount === 0) return [];
  const lines: string[] = ['', report.settings.allowInconclusive ? 'Unresolved entries (accepted with allowInconclusive):' : 'Unresolved entries:'];
  const entries = report.tensors
    .flatMap((t) => t.inconclusive.map((entry) => ({ tensor: t.name, entry })))
    .sort((a, b) => b.entry.errorEstimate / b.entry.needed - a.entry.errorEstimate / a.entry.needed);
  const shown = entries.slice(0, maxEntries);
  const labelWidth = Math.max(...shown.map((e) => entryLabel(e.tensor, e.entry.position).length));
  for (const { tensor, entry } of shown) {
    lines.push(
      `  ${entryLabel(tensor, entry.position).padEnd(labelWidth)}  analytic ${formatNumber(entry.analytic).padStart(10)}  numeric ${formatNumber(entry.numeric).padStart(10)}` +
        `  ±${formatNumber(entry.errorEstimate)}, needs ±${formatNumber(entry.needed)}`,
    );
  }
  if (entries.length > shown.length) lines.push(`  … and ${entries.length - shown.length} more`);
  if (report.inconclusive !== null) {
    lines.push('', report.inconclusive.cause, 'To resolve them:');
    for (const remedy of report.inconclusive.remedies) lines.push(`  - ${remedy}`);
  }
  return lines;
}

/**
 * The failing entries as two small maps keyed by position (`'W[1,3]' => 0.5`): analytic as `actual`,
 * numeric as `expected`, in position order (tensor by tensor, entry by entry). Coupled entries wrong
 * together appear as one key, expected at the nearest end of their slopes.
 */
export function failureDiff(report: GradientReport, options: FormatOptions = {}): { actual: Map<string, number>; expected: Map<string, number> } {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const wrongLayers = (report.layers ?? []).filter((layer) => layer.verdict === 'fail').map(prefixedReport);
  if (wrongLayers.some((own) => own !== null)) return wrongLayersFirst(report, wrongLayers, maxEntries);
  const worst = worstFailures(report, maxEntries);
  const joint = report.tensors.flatMap((t) => t.jointFailures.map((failure) => ({ tensor: t.name, failure })));
  const rows = [
    ...worst.map(({ tensor, failure }) => ({ tensor, order: failure.index, label: entryLabel(tensor, failure.position), analytic: failure.analytic, numeric: failure.numeric })),
    ...joint.slice(0, Math.max(0, maxEntries - worst.length)).map(({ tensor, failure }) => ({
      tensor,
      order: failure.entries[0].index,
      label: jointLabel(tensor, failure),
      analytic: failure.analytic,
      numeric: Math.min(failure.upper, Math.max(failure.lower, failure.analytic)),
    })),
  ];
  const tensorOrder = new Map(report.tensors.map((t, i) => [t.name, i]));
  rows.sort((a, b) => (tensorOrder.get(a.tensor) ?? 0) - (tensorOrder.get(b.tensor) ?? 0) || a.order - b.order);
  return {
    actual: new Map(rows.map((row) => [row.label, row.analytic])),
    expected: new Map(rows.map((row) => [row.label, row.numeric])),
  };
}

/**
 * For a sequence: the wrong layers' entries from their own checks first (where the fix is), then
 * the sequence's own failing entries, up to `maxEntries` in all.
 */
function wrongLayersFirst(report: GradientReport, wrongLayers: (GradientReport | null)[], maxEntries: number): { actual: Map<string, number>; expected: Map<string, number> } {
  const actual = new Map<string, number>();
  const expected = new Map<string, number>();
  const whole = { ...report, layers: null };
  for (const part of [...wrongLayers, whole]) {
    if (part === null) continue;
    const diff = failureDiff(part, { maxEntries: maxEntries - actual.size });
    for (const [label, value] of diff.actual) {
      if (actual.size >= maxEntries || actual.has(label)) continue;
      actual.set(label, value);
      expected.set(label, diff.expected.get(label) as number);
    }
  }
  return { actual, expected };
}

/**
 * One `label: value` line per entry, in the map's order, for a runner to diff line by line. Runners
 * sort the keys of objects and Maps as text before diffing (`input[10]` before `input[2]`); lines of
 * text keep position order. Values are printed in full, so the diff shows exactly what was compared.
 */
export function diffLines(values: ReadonlyMap<string, number>): string {
  return [...values].map(([label, value]) => `${label}: ${value}`).join('\n');
}
