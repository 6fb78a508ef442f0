import type { EntryFailure, GradientReport, TensorReport } from '../check/report-types.js';
import { compareFailures } from '../check/failure-order.js';
import { formatPosition } from '../check/position-text.js';
import { entryLabel, formatNumber } from './format-number.js';
import { likelyCause } from './likely-cause.js';

export interface FormatOptions {
  /** Failing entries listed before "… and N more". Default 10. */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 10;

interface LabelledFailure {
  tensor: string;
  failure: EntryFailure;
}

/** All failing entries across tensors, worst first (the order of `compareFailures`). */
export function worstFailures(report: GradientReport): LabelledFailure[] {
  const all = report.tensors.flatMap((tensor) => tensor.failures.map((failure) => ({ tensor: tensor.name, failure })));
  return all.sort((a, b) => compareFailures(a.failure, b.failure));
}

function settingsLine(report: GradientReport): string {
  const { settings } = report;
  return `seed ${settings.seed}, ${settings.defaultsNote}${settings.richardson ? ', Richardson' : ''}`;
}

function tensorLine(tensor: TensorReport, nameWidth: number): string {
  const name = tensor.name.padEnd(nameWidth);
  const shape = formatPosition(tensor.shape).padEnd(10);
  const status = tensor.pass ? 'ok' : `${tensor.failures.length} of ${tensor.size} wrong`;
  const kinks = tensor.kinks.length > 0 ? `, ${tensor.kinks.length} at kinks` : '';
  return `  ${name}  ${shape}  ${status.padEnd(16)}  normalized error ${formatNumber(tensor.normalizedError)} (${tensor.band})${kinks}`;
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

/** Plain-text report: a summary line, one line per tensor, the worst entries, likely causes, problems. */
export function formatReport(report: GradientReport, options: FormatOptions = {}): string {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const lines: string[] = [];
  const failingEntries = report.tensors.reduce((n, t) => n + t.failures.length, 0);
  const totalEntries = report.tensors.reduce((n, t) => n + t.size, 0);
  if (report.verdict === 'impossible') {
    lines.push(`The gradients could not be checked (${settingsLine(report)}):`);
  } else if (report.pass) {
    lines.push(`All ${totalEntries} gradient entries agree with finite differences (${settingsLine(report)}).`);
  } else {
    const failingTensors = report.tensors.filter((t) => !t.pass).length;
    lines.push(
      `${failingEntries} of ${totalEntries} gradient entries disagree, in ${failingTensors} of ${report.tensors.length} tensors (${settingsLine(report)}).`,
    );
  }
  for (const problem of report.problems) lines.push(`  ✗ ${problem.message}`);
  if (report.tensors.length > 0) {
    lines.push('');
    const nameWidth = Math.max(...report.tensors.map((t) => t.name.length));
    for (const tensor of report.tensors) lines.push(tensorLine(tensor, nameWidth));
    lines.push(`  overall normalized error ${formatNumber(report.normalizedError)} (${report.band})`);
  }
  const worst = worstFailures(report);
  if (worst.length > 0) {
    lines.push('', 'Worst entries:');
    const shown = worst.slice(0, maxEntries);
    const labelWidth = Math.max(...shown.map((e) => entryLabel(e.tensor, e.failure.position).length));
    for (const entry of shown) lines.push(failureLine(entry, labelWidth));
    if (worst.length > shown.length) lines.push(`  … and ${worst.length - shown.length} more`);
  }
  const causes = report.tensors.filter((t) => !t.pass).map((t) => [t.name, likelyCause(t)] as const);
  if (causes.some(([, cause]) => cause !== null)) {
    lines.push('', 'Likely cause:');
    for (const [name, cause] of causes) if (cause !== null) lines.push(`  ${name}: ${cause}`);
  }
  if (report.unresolvedCount > 0) {
    const where = report.tensors.filter((t) => t.unresolved > 0).map((t) => `${t.name} ${t.unresolved}`).join(', ');
    lines.push(
      '',
      `${report.unresolvedCount} passing ${report.unresolvedCount === 1 ? 'entry was' : 'entries were'} only resolved to more than the tolerance (${where}): ` +
        `their gradients are small against the rounding of the loss, so a bug smaller than their error estimate would go unseen. ` +
        (report.settings.dtype === 'float32' ? 'A float64 copy of the layer resolves them.' : 'Check them at an input where they are larger.'),
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
  return lines.join('\n');
}

/**
 * The failing entries as two small objects keyed by position (`{ 'W[1,3]': 0.5 }`): analytic as
 * `actual`, numeric as `expected`, so a runner draws a readable diff instead of whole arrays.
 */
export function failureDiff(report: GradientReport, options: FormatOptions = {}): { actual: Record<string, number>; expected: Record<string, number> } {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const actual: Record<string, number> = {};
  const expected: Record<string, number> = {};
  for (const { tensor, failure } of worstFailures(report).slice(0, maxEntries)) {
    const label = entryLabel(tensor, failure.position);
    actual[label] = failure.analytic;
    expected[label] = failure.numeric;
  }
  return { actual, expected };
}
