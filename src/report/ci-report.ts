import type { AcrossResult } from '../across/across-types.js';
import type { GradientReport } from '../check/report-types.js';
import { acrossToJSON } from './format-across.js';
import { writeNewFile } from './exclusive-file.js';
import { withFileLock } from './file-lock.js';
import { errorCode, errorMessage, reportHost, type ReportHost } from './report-host.js';
import { relativeTestFile, reportFileBase, type CheckIdentity } from './report-name.js';
import { sharedReportState } from './report-state.js';
import { warnOnce } from './report-warning.js';
import { acrossSummaryRow, expectationHeld, searchExpectationHeld, SUMMARY_HEADER, summaryRow, summaryTableStart } from './step-summary.js';
import { reportToJSON } from './to-json.js';

/**
 * Reports for CI: with a report directory set (`EXPECT_GRADCHECK_REPORTS` or `reportChecksTo()`),
 * every matcher check writes its JSON report there, one new file per check named after its test
 * file and test, never overwriting one, and, when GitHub Actions provides `GITHUB_STEP_SUMMARY`,
 * appends one row per check to the job summary. Writing a report never changes a test's
 * outcome: a target that cannot be written is warned about once per process and skipped.
 */

/** Where the test stands when a check runs, and what it expects: what the runners put on the matcher's `this`. */
export interface CheckOrigin {
  testName?: string;
  /** The test file, absolute, as the runner gives it. */
  testPath?: string;
  /** The runner's project root, when its matcher context tells (test files outside the working directory are named relative to it). */
  rootDir?: string;
  /** The line of the `expect(…)` call, found from the stack when the runner names no test (`node --test`). */
  line?: number;
  /** `.not`: the test expects the gradients to be wrong. */
  isNot?: boolean;
}

const ENV_DIRECTORY = 'EXPECT_GRADCHECK_REPORTS';
const ENV_SUMMARY = 'GITHUB_STEP_SUMMARY';
/** In the report directory, held while a row (and the table's header, if it is the first) is appended to the summary. */
const SUMMARY_LOCK = '.step-summary.lock';

/** A place reports go, and the setting that named it (for the warning when it cannot be written). */
interface Target {
  path: string;
  setting: typeof ENV_DIRECTORY | 'reportChecksTo()' | typeof ENV_SUMMARY;
}

/**
 * Sets (or, with null, unsets) the directory every matcher check writes its JSON report to; the
 * environment variable wins. Seen by every copy of the package in the process (CommonJS and ESM).
 */
export function reportChecksTo(directory: string | null): void {
  sharedReportState().directory = directory;
}

function reportDirectory(host: ReportHost): Target | null {
  const fromEnvironment = host.env(ENV_DIRECTORY);
  if (fromEnvironment !== undefined && fromEnvironment !== '') return { path: fromEnvironment, setting: ENV_DIRECTORY };
  const configured = sharedReportState().directory;
  return configured === null || configured === '' ? null : { path: configured, setting: 'reportChecksTo()' };
}

/** The check as reports name it: its test file relative to the working directory (or the runner's root), its test, its line. */
export function checkIdentity(origin: CheckOrigin, host: Pick<ReportHost, 'cwd' | 'path'>): CheckIdentity {
  const roots = [host.cwd(), ...(origin.rootDir === undefined ? [] : [origin.rootDir])];
  return {
    file: relativeTestFile(origin.testPath, roots, host.path),
    testName: origin.testName === undefined || origin.testName === '' ? null : origin.testName,
    line: origin.line ?? null,
  };
}

function advice(target: Target): string {
  if (target.setting === ENV_SUMMARY) return `${ENV_SUMMARY} must name a file this process can append to (GitHub Actions sets it; outside Actions, unset it).`;
  if (target.setting === ENV_DIRECTORY) return `Point ${ENV_DIRECTORY} at a directory this process can create or write to, or unset it.`;
  return 'Pass reportChecksTo() a directory this process can create or write to, or null to turn reports off.';
}

/** `EISDIR: illegal operation on a directory, read`: the code first, as Node's fs errors put it. */
function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = errorMessage(error);
  return message.startsWith(code) ? message : `${code}: ${message}`;
}

/** Runs one write; a failure becomes a warning (once per process and setting), never an error in the test. */
function attempt<T>(target: Target, write: () => T): T | null {
  try {
    return write();
  } catch (error) {
    warnOnce(
      target.setting,
      `expect-gradcheck could not write a gradient check report: ${target.setting} is ${JSON.stringify(target.path)} (${describeError(error)}). ` +
        `Test results are not affected, but reports meant for it are lost until this is fixed. ${advice(target)}`,
    );
    return null;
  }
}

/** What one matcher call leaves in CI: its JSON body, whether the test's expectation held, and its summary row. */
interface CiDocument {
  body: object;
  held: boolean;
  row(identity: CheckIdentity): string;
}

function writeJsonReport(host: ReportHost, directory: string, document: CiDocument, identity: CheckIdentity, isNot: boolean): string {
  const json = {
    test: identity.testName,
    file: identity.file,
    line: identity.line,
    expected: isNot ? 'fail' : 'pass',
    held: document.held,
    ...document.body,
  };
  host.fs.mkdirSync(directory, { recursive: true });
  const base = reportFileBase(identity);
  const hints = sharedReportState().nextSuffix;
  const key = `${host.path.resolve(directory)}\0${base}`;
  const { file, suffix } = writeNewFile(host.fs, host.path, directory, base, `${JSON.stringify(json, null, 2)}\n`, hints.get(key));
  hints.set(key, suffix + 1);
  return file;
}

/** Appends the row, and the table's header before the first row; under a lock so that two workers cannot both write the header. */
function appendSummaryRow(host: ReportHost, directory: string, summary: string, row: string): void {
  withFileLock(host.fs, host.path.join(directory, SUMMARY_LOCK), () => {
    const headed = host.fs.existsSync(summary) && host.fs.readFileSync(summary, 'utf8').includes(SUMMARY_HEADER);
    host.fs.appendFileSync(summary, `${headed ? '' : summaryTableStart()}${row}\n`);
  });
}

function writeReports(document: CiDocument, origin: CheckOrigin): string | null {
  const host = reportHost();
  if (host === null) return null;
  const directory = reportDirectory(host);
  if (directory === null) return null;
  // Naming reads the working directory, which can be gone: that too must not fail the test.
  const identity = attempt(directory, () => checkIdentity(origin, host));
  if (identity === null) return null;
  const isNot = origin.isNot === true;
  const written = attempt(directory, () => writeJsonReport(host, directory.path, document, identity, isNot));
  const summary = host.env(ENV_SUMMARY);
  if (summary !== undefined && summary !== '') {
    attempt({ path: summary, setting: ENV_SUMMARY }, () => appendSummaryRow(host, directory.path, summary, document.row(identity)));
  }
  return written;
}

/** Writes a document, turning anything unexpected into a warning: the test's verdict and message stay the check's. */
function writeSafely(document: () => CiDocument, origin: CheckOrigin): string | null {
  try {
    return writeReports(document(), origin);
  } catch (error) {
    warnOnce('expect-gradcheck', `expect-gradcheck could not write a gradient check report (${describeError(error)}). Test results are not affected.`);
    return null;
  }
}

/**
 * Writes the report where CI asked for it; does nothing when nobody asked. Returns the JSON file
 * written, or null (none asked for, or it could not be written: then a warning says why). Never
 * throws: whatever goes wrong here, the test's verdict and message stay the check's.
 */
export function writeCiReport(report: GradientReport, origin: CheckOrigin): string | null {
  const isNot = origin.isNot === true;
  return writeSafely(() => ({ body: reportToJSON(report) as object, held: expectationHeld(report, isNot), row: (identity) => summaryRow(report, identity, isNot) }), origin);
}

/** One report per search across configurations (`kind: 'across'`), holding its counterexample's report; never throws, as writeCiReport. */
export function writeAcrossCiReport(result: AcrossResult, origin: CheckOrigin): string | null {
  const isNot = origin.isNot === true;
  return writeSafely(
    () => ({ body: { kind: 'across', ...(acrossToJSON(result) as object) }, held: searchExpectationHeld(result, isNot), row: (identity) => acrossSummaryRow(result, identity, isNot) }),
    origin,
  );
}
