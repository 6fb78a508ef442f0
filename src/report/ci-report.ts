import type { GradientReport } from '../check/report-types.js';
import { formatNumber } from '../engine/format-number.js';
import { reportToJSON } from './to-json.js';

/**
 * Reports for CI: with a report directory set (`EXPECT_GRADCHECK_REPORTS` or `reportChecksTo()`),
 * every matcher check writes its JSON report there, one file per check named after its test, and,
 * when GitHub Actions provides `GITHUB_STEP_SUMMARY`, appends one line per layer to the job
 * summary. Node's `fs` is reached through `process.getBuiltinModule`, so the package imports
 * nothing from Node and still loads in a browser (where there is nothing to write to).
 */

/** Where the test stands when a check runs: what the runners put on the matcher's `this`. */
export interface CheckOrigin {
  testName?: string;
  testPath?: string;
}

interface FileSystem {
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  writeFileSync(path: string, data: string): void;
  appendFileSync(path: string, data: string): void;
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
}

const ENV_DIRECTORY = 'EXPECT_GRADCHECK_REPORTS';
const SUMMARY_HEADER = '| gradient check | verdict | mode | entries | worst normalized error |';

let configuredDirectory: string | null = null;
/** Checks reported per base file name in this process, so two checks in one test get two files. */
const filesWritten = new Map<string, number>();

/** Sets (or, with null, unsets) the directory every matcher check writes its JSON report to; the environment variable wins. */
export function reportChecksTo(directory: string | null): void {
  configuredDirectory = directory;
}

function host(): { fs: FileSystem; env: (name: string) => string | undefined } | null {
  const processLike = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  if (processLike?.env === undefined || typeof processLike.getBuiltinModule !== 'function') return null;
  const variables = processLike.env;
  // Deno without --allow-env throws NotCapable on every process.env read; a variable nobody may
  // read is one nobody set, so the check goes on and writes no report.
  const env = (name: string): string | undefined => {
    try {
      return variables[name];
    } catch {
      return undefined;
    }
  };
  return { fs: processLike.getBuiltinModule('node:fs') as FileSystem, env };
}

/** A file name from a test's name and file: lowercase words joined by dashes, at most 120 characters. */
export function reportFileBase(origin: CheckOrigin): string {
  const file = (origin.testPath ?? '').split(/[\\/]/).pop()?.replace(/\.[cm]?[jt]sx?$/, '') ?? '';
  const slug = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const base = [slug(file), slug(origin.testName ?? '')].filter((part) => part !== '').join('--');
  return (base === '' ? 'gradient-check' : base).slice(0, 120);
}

/** One line of the GitHub job summary. */
export function summaryLine(report: GradientReport, origin: CheckOrigin): string {
  const entries = report.tensors.reduce((n, t) => n + t.size, 0);
  const name = (origin.testName ?? 'gradient check').replace(/\|/g, '\\|');
  const verdict = report.verdict === 'pass' ? '✅ pass' : report.verdict === 'fail' ? '❌ fail' : `⚠️ ${report.verdict}`;
  return `| ${name} | ${verdict} | ${report.mode.kind} | ${entries} | ${formatNumber(report.normalizedError)} |`;
}

/** Writes the report where CI asked for it; does nothing when nobody asked. Returns the JSON file written, if any. */
export function writeCiReport(report: GradientReport, origin: CheckOrigin): string | null {
  const environment = host();
  if (environment === null) return null;
  const directory = environment.env(ENV_DIRECTORY) || configuredDirectory;
  if (directory === null || directory === undefined || directory === '') return null;
  const { fs } = environment;
  fs.mkdirSync(directory, { recursive: true });
  const base = reportFileBase(origin);
  const count = (filesWritten.get(base) ?? 0) + 1;
  filesWritten.set(base, count);
  const file = `${directory.replace(/[\\/]+$/, '')}/${count === 1 ? base : `${base}-${count}`}.json`;
  const json = { test: origin.testName ?? null, file: origin.testPath ?? null, ...(reportToJSON(report) as object) };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  const summary = environment.env('GITHUB_STEP_SUMMARY');
  if (summary !== undefined && summary !== '') {
    const hasHeader = fs.existsSync(summary) && fs.readFileSync(summary, 'utf8').includes(SUMMARY_HEADER);
    const header = hasHeader ? '' : `\n${SUMMARY_HEADER}\n|---|---|---|---:|---:|\n`;
    fs.appendFileSync(summary, `${header}${summaryLine(report, origin)}\n`);
  }
  return file;
}
