import type { AcrossResult } from '../across/across-types.js';
import { describeConfig } from '../across/config-text.js';
import type { GradientReport } from '../check/report-types.js';
import { formatNumber } from '../engine/format-number.js';
import type { CheckIdentity } from './report-name.js';

/**
 * The GitHub job summary (`GITHUB_STEP_SUMMARY`): one Markdown table row per check. `outcome` says
 * whether the test's expectation held, `verdict` what the gradients are and `expected` what the
 * test expected of them, so a `.not` check of a wrong layer reads "✅ … fail … fail (.not)".
 */
export const SUMMARY_HEADER = '| outcome | test | file | verdict | expected | mode | entries | worst normalized error |';
const SUMMARY_DELIMITER = '|:---:|---|---|---|---|---|---:|---:|';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  '_': '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
};

/**
 * Text from a test (its name, its file) as one table cell that renders as that text and nothing
 * else. Line breaks would end the row and start forged ones, so every control character becomes
 * a space. HTML and Markdown syntax (`<img>`, links, code spans, emphasis) become character
 * references, which Markdown shows as the character and never parses. A backslash is one of them:
 * then each `|` can be escaped as `\|` (GitHub's only way to keep a pipe inside a cell) with no
 * backslash of the text in front of it to turn `\|` into an escaped backslash and a cell border.
 */
export function markdownCell(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[&<>\\`*_[\]~]/g, (character) => ENTITIES[character])
    .replace(/\|/g, '\\|')
    .trim();
}

/** What the test expected held: the gradients pass, or (under `.not`) fail. An undecided check holds neither. */
export function expectationHeld(report: GradientReport, isNot: boolean): boolean {
  return isNot ? report.verdict === 'fail' : report.pass;
}

/** One row: `| ✅ | Dense > has correct gradients | test/dense.test.ts | pass | pass | exhaustive | 23 | 1.2e-10 |`. */
export function summaryRow(report: GradientReport, identity: CheckIdentity, isNot: boolean): string {
  const entries = report.tensors.reduce((n, t) => n + t.size, 0);
  const worst = report.tensors.reduce((max, t) => Math.max(max, t.normalizedError), report.tensors.length === 0 ? report.normalizedError : 0);
  const test = identity.testName ?? (identity.line === null ? 'gradient check' : `line ${identity.line}`);
  const cells = [
    expectationHeld(report, isNot) ? '✅' : '❌',
    markdownCell(test),
    markdownCell(identity.file ?? ''),
    report.verdict,
    isNot ? 'fail (.not)' : 'pass',
    report.mode.kind,
    String(entries),
    formatNumber(worst),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** What a search's test expected held: every configuration passes, or (under `.not`) one fails. */
export function searchExpectationHeld(result: AcrossResult, isNot: boolean): boolean {
  return isNot ? result.verdict === 'fail' : result.pass;
}

/**
 * One row for a search across configurations: the mode cell says how many were explored, and the
 * counterexample (when one failed) stands in the entries and error cells through its own report.
 */
export function acrossSummaryRow(result: AcrossResult, identity: CheckIdentity, isNot: boolean): string {
  const report = result.counterexample?.report ?? null;
  const entries = report === null ? '' : String(report.tensors.reduce((n, t) => n + t.size, 0));
  const worst = report === null ? '' : formatNumber(report.tensors.reduce((max, t) => Math.max(max, t.normalizedError), report.tensors.length === 0 ? report.normalizedError : 0));
  const test = identity.testName ?? (identity.line === null ? 'gradient search' : `line ${identity.line}`);
  const found = result.counterexample === null ? '' : ` at ${describeConfig(result.counterexample.config)}`;
  const cells = [
    searchExpectationHeld(result, isNot) ? '✅' : '❌',
    markdownCell(test),
    markdownCell(identity.file ?? ''),
    markdownCell(`${result.verdict}${found}`),
    isNot ? 'fail (.not)' : 'pass',
    `across ${result.explored} configurations`,
    entries,
    worst,
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The header and delimiter rows, with a blank line before them so the table starts a new block. */
export function summaryTableStart(): string {
  return `\n${SUMMARY_HEADER}\n${SUMMARY_DELIMITER}\n`;
}
