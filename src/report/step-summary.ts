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

/** The entries and worst normalized error cells of a check's report; empty where there is none. */
function measuredCells(report: GradientReport | null): [string, string] {
  if (report === null) return ['', ''];
  const entries = report.tensors.reduce((n, t) => n + t.size, 0);
  const worst = report.tensors.reduce((max, t) => Math.max(max, t.normalizedError), report.tensors.length === 0 ? report.normalizedError : 0);
  return [String(entries), formatNumber(worst)];
}

/** What differs between a check's row and a search's: the cells that describe what ran. */
interface RowContent {
  held: boolean;
  /** The verdict cell, already safe as a cell. */
  verdict: string;
  mode: string;
  /** The report whose entries and worst error fill the last two cells. */
  report: GradientReport | null;
  /** The test's name when the runner gave none and there is no line either. */
  unnamed: string;
}

function tableRow(identity: CheckIdentity, isNot: boolean, content: RowContent): string {
  const test = identity.testName ?? (identity.line === null ? content.unnamed : `line ${identity.line}`);
  const cells = [
    content.held ? '✅' : '❌',
    markdownCell(test),
    markdownCell(identity.file ?? ''),
    content.verdict,
    isNot ? 'fail (.not)' : 'pass',
    content.mode,
    ...measuredCells(content.report),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** One row: `| ✅ | Dense > has correct gradients | test/dense.test.ts | pass | pass | exhaustive | 23 | 1.2e-10 |`. */
export function summaryRow(report: GradientReport, identity: CheckIdentity, isNot: boolean): string {
  return tableRow(identity, isNot, { held: expectationHeld(report, isNot), verdict: report.verdict, mode: report.mode.kind, report, unnamed: 'gradient check' });
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
  const found = result.counterexample === null ? '' : ` at ${describeConfig(result.counterexample.config)}`;
  return tableRow(identity, isNot, {
    held: searchExpectationHeld(result, isNot),
    verdict: markdownCell(`${result.verdict}${found}`),
    mode: `across ${result.explored} configurations`,
    report: result.counterexample?.report ?? null,
    unnamed: 'gradient search',
  });
}

/** The header and delimiter rows, with a blank line before them so the table starts a new block. */
export function summaryTableStart(): string {
  return `\n${SUMMARY_HEADER}\n${SUMMARY_DELIMITER}\n`;
}
