import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { checkIdentity, reportChecksTo, writeCiReport } from '../../src/report/ci-report.js';
import { writeNewFile } from '../../src/report/exclusive-file.js';
import { reportHost } from '../../src/report/report-host.js';
import { fnv1a, MAX_BASE_LENGTH, relativeTestFile, reportFileBase } from '../../src/report/report-name.js';
import { warningsGiven } from '../../src/report/report-state.js';
import { WARNING_CODE, WARNING_TYPE } from '../../src/report/report-warning.js';
import { markdownCell, SUMMARY_HEADER, summaryRow } from '../../src/report/step-summary.js';
import { outcomeOf, thrownMessage } from '../helpers/assertion-messages.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';
import { shapeCase } from '../zoo/shapes/index.js';
import { AsyncScale, Scale } from '../zoo/protocol/weight-scale.js';

const THIS_FILE = 'test/report/ci-report.test.ts';
const FILE_BASE = 'test-report-ci-report-test';

/**
 * The cells of a GitHub table row, split as GitHub splits them: at each `|` that no backslash
 * escapes (a backslash escapes the character after it, another backslash included).
 */
function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && i + 1 < row.length) {
      cell += row[i] + row[i + 1];
      i += 1;
    } else if (row[i] === '|') {
      cells.push(cell);
      cell = '';
    } else cell += row[i];
  }
  cells.push(cell);
  // A row starts and ends with a border: drop the empty text outside them.
  return cells.slice(1, -1).map((text) => text.trim());
}

let directory = '';
const saved = { reports: process.env.EXPECT_GRADCHECK_REPORTS, summary: process.env.GITHUB_STEP_SUMMARY };

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'gradcheck-reports-'));
  delete process.env.EXPECT_GRADCHECK_REPORTS;
  delete process.env.GITHUB_STEP_SUMMARY;
  warningsGiven().clear();
});

afterEach(() => {
  for (const [key, value] of [
    ['EXPECT_GRADCHECK_REPORTS', saved.reports],
    ['GITHUB_STEP_SUMMARY', saved.summary],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  reportChecksTo(null);
  warningsGiven().clear();
  vi.restoreAllMocks();
  rmSync(directory, { recursive: true, force: true });
});

describe('report names', () => {
  const host = reportHost()!;

  it('are the test file relative to the project, then the test, slugged', () => {
    expect(reportFileBase({ file: 'test/layers/dense.test.ts', testName: 'Dense > has correct gradients (batch 8)', line: null })).toBe(
      'test-layers-dense-test--dense-has-correct-gradients-batch-8',
    );
    expect(reportFileBase({ file: 'a/dense.test.ts', testName: 'x', line: null })).not.toBe(reportFileBase({ file: 'b/dense.test.ts', testName: 'x', line: null }));
    // node --test names no test: the line of the call stands in.
    expect(reportFileBase({ file: 'dense.test.js', testName: null, line: 14 })).toBe('dense-test--line-14');
    expect(reportFileBase({ file: null, testName: null, line: null })).toBe('gradient-check');
  });

  it('stay within the length bound, cut names ending in a hash of the whole name', () => {
    const long = (ending: string): string => reportFileBase({ file: 'test/dense.test.ts', testName: `${'a very long test name '.repeat(8)}${ending}`, line: null });
    const [first, second] = [long('one'), long('two')];
    expect(first).toHaveLength(MAX_BASE_LENGTH);
    expect(second).toHaveLength(MAX_BASE_LENGTH);
    // The same first 111 characters; only the hash of the whole name tells them apart.
    expect(first.slice(0, MAX_BASE_LENGTH - 9)).toBe(second.slice(0, MAX_BASE_LENGTH - 9));
    expect(first).not.toBe(second);
    expect(first.slice(-8)).toBe(fnv1a(`test-dense-test--${'a-very-long-test-name-'.repeat(8)}one`));
    expect(fnv1a('')).toBe('811c9dc5');
  });

  it('take the test file relative to the working directory, else to the runner root, else whole', () => {
    const cwd = process.cwd();
    expect(relativeTestFile(join(cwd, 'test', 'a.test.ts'), [cwd], host.path)).toBe('test/a.test.ts');
    expect(relativeTestFile('/elsewhere/project/test/a.test.ts', [cwd, '/elsewhere/project'], host.path)).toBe('test/a.test.ts');
    expect(relativeTestFile('/elsewhere/a.test.ts', [cwd], host.path)).toBe('/elsewhere/a.test.ts');
    expect(relativeTestFile(undefined, [cwd], host.path)).toBeNull();
    expect(checkIdentity({ testName: '', testPath: join(cwd, 'x.test.ts'), line: 3 }, host)).toEqual({ file: 'x.test.ts', testName: null, line: 3 });
  });
});

describe('report files', () => {
  const host = reportHost()!;

  it('are created exclusively: an existing file is never overwritten, the next free suffix is taken', () => {
    writeFileSync(join(directory, 'dense.json'), 'kept');
    writeFileSync(join(directory, 'dense-3.json'), 'kept too');
    const written = [1, 2, 3].map((n) => writeNewFile(host.fs, host.path, directory, 'dense', `report ${n}`));
    expect(written.map((w) => w.suffix)).toEqual([2, 4, 5]);
    expect(readFileSync(join(directory, 'dense.json'), 'utf8')).toBe('kept');
    expect(readFileSync(join(directory, 'dense-3.json'), 'utf8')).toBe('kept too');
    expect(readFileSync(join(directory, 'dense-4.json'), 'utf8')).toBe('report 2');
    // A hint past taken names is only a start: a name taken behind it is still not overwritten.
    expect(writeNewFile(host.fs, host.path, directory, 'dense', 'late', 2).suffix).toBe(6);
  });

  it('one per check, named after the test file and test, with the test, file and expectation in the JSON', () => {
    process.env.EXPECT_GRADCHECK_REPORTS = join(directory, 'reports');
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients()).toThrow();
    expect(new ScaleLayer({ dwFactor: 2 })).not.toHaveCorrectGradients();
    const base = `${FILE_BASE}--report-files-one-per-check-named-after-the-test-file-and-test-with-the-test-file-and-expectation-in-the-json`;
    const name = `${base.slice(0, MAX_BASE_LENGTH - 9)}-${fnv1a(base)}`;
    expect(readdirSync(join(directory, 'reports')).sort()).toEqual([`${name}-2.json`, `${name}-3.json`, `${name}.json`]);
    const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(directory, 'reports', file), 'utf8'));
    expect(read(`${name}.json`)).toMatchObject({ test: expect.stringContaining('one per check'), file: THIS_FILE, line: null, expected: 'pass', held: true, verdict: 'pass' });
    expect(read(`${name}-2.json`)).toMatchObject({ expected: 'pass', held: false, verdict: 'fail' });
    expect(read(`${name}-3.json`)).toMatchObject({ expected: 'fail', held: true, verdict: 'fail' });
  });

  it('a second run into the same directory adds files beside the first run’s', () => {
    process.env.EXPECT_GRADCHECK_REPORTS = directory;
    const name = `${FILE_BASE}--report-files-a-second-run-into-the-same-directory-adds-files-beside-the-first-run-s`;
    writeFileSync(join(directory, `${name}.json`), 'from the first run');
    expect(new Scale()).toHaveCorrectGradients();
    expect(readFileSync(join(directory, `${name}.json`), 'utf8')).toBe('from the first run');
    expect(JSON.parse(readFileSync(join(directory, `${name}-2.json`), 'utf8')).verdict).toBe('pass');
  });

  it('are written for async checks too, named at the call', async () => {
    reportChecksTo(directory);
    await expect(new AsyncScale()).toHaveCorrectGradients();
    expect(readdirSync(directory)).toEqual([`${FILE_BASE}--report-files-are-written-for-async-checks-too-named-at-the-call.json`]);
  });

  it('go nowhere when no directory is set', () => {
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(writeCiReport(checkGradients(new Scale()), { testName: 't', testPath: join(process.cwd(), 'x.test.ts') })).toBeNull();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('reportChecksTo() is seen by another copy of the package (as the CommonJS and ESM builds are two)', async () => {
    const first = await import('../../src/report/ci-report.js');
    vi.resetModules();
    const second = await import('../../src/report/ci-report.js');
    expect(second).not.toBe(first);
    first.reportChecksTo(directory);
    const written = second.writeCiReport(checkGradients(new Scale()), { testName: 'copies', testPath: join(process.cwd(), 'copies.test.ts') });
    expect(written).toBe(join(directory, 'copies-test--copies.json'));
    second.reportChecksTo(null);
    expect(first.writeCiReport(checkGradients(new Scale()), { testName: 'copies', testPath: join(process.cwd(), 'copies.test.ts') })).toBeNull();
  });
});

describe('a report that cannot be written', () => {
  /** The matcher's outcomes on a correct and a buggy layer, with and without `.not`, as messages ('' for a pass). */
  function outcomes(): string[] {
    return [
      outcomeOf(() => expect(new Scale()).toHaveCorrectGradients()),
      outcomeOf(() => expect(new Scale(2)).toHaveCorrectGradients()),
      outcomeOf(() => expect(new Scale()).not.toHaveCorrectGradients()),
      outcomeOf(() => expect(new Scale(2)).not.toHaveCorrectGradients()),
    ];
  }

  type WarningCall = [message: unknown, options?: unknown];
  function ourWarnings(emitted: { mock: { calls: WarningCall[] } }): string[] {
    return emitted.mock.calls.filter((call) => (call[1] as { type?: string } | undefined)?.type === WARNING_TYPE).map((call) => String(call[0]));
  }

  const cases = [
    { title: 'EXPECT_GRADCHECK_REPORTS names a regular file', set: (d: string) => void (process.env.EXPECT_GRADCHECK_REPORTS = join(d, 'file')), code: 'EEXIST', setting: 'EXPECT_GRADCHECK_REPORTS' },
    { title: 'EXPECT_GRADCHECK_REPORTS lies under a regular file', set: (d: string) => void (process.env.EXPECT_GRADCHECK_REPORTS = join(d, 'file', 'reports')), code: 'ENOTDIR', setting: 'EXPECT_GRADCHECK_REPORTS' },
    { title: 'reportChecksTo() names a regular file', set: (d: string) => reportChecksTo(join(d, 'file')), code: 'EEXIST', setting: 'reportChecksTo()' },
    {
      title: 'GITHUB_STEP_SUMMARY names a directory',
      set: (d: string) => {
        process.env.EXPECT_GRADCHECK_REPORTS = join(d, 'reports');
        process.env.GITHUB_STEP_SUMMARY = d;
      },
      code: 'EISDIR',
      setting: 'GITHUB_STEP_SUMMARY',
    },
  ];

  it.each(cases)('($title) leaves every verdict and message as without reports, and warns once, naming the setting, path and error', ({ set, code, setting }) => {
    const unreported = outcomes();
    expect(unreported.map((message) => message === '')).toEqual([true, false, false, true]);
    writeFileSync(join(directory, 'file'), 'not a directory');
    set(directory);
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(outcomes()).toEqual(unreported);
    expect(outcomes()).toEqual(unreported);
    const warnings = ourWarnings(emitted);
    expect(warnings).toHaveLength(1);
    expect((emitted.mock.calls as WarningCall[]).find((call) => String(call[0]) === warnings[0])?.[1]).toEqual({ type: WARNING_TYPE, code: WARNING_CODE });
    expect(warnings[0]).toContain(`expect-gradcheck could not write a gradient check report: ${setting} is "${directory}`);
    expect(warnings[0]).toContain(`(${code}: `);
    expect(warnings[0]).toContain('Test results are not affected');
    expect(readFileSync(join(directory, 'file'), 'utf8')).toBe('not a directory');
  });

  it('does not stop the summary row when only the JSON file fails, nor the JSON file when only the summary fails', () => {
    const summary = join(directory, 'summary.md');
    process.env.GITHUB_STEP_SUMMARY = summary;
    writeFileSync(join(directory, 'file'), '');
    process.env.EXPECT_GRADCHECK_REPORTS = join(directory, 'file');
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(new Scale()).toHaveCorrectGradients();
    expect(readFileSync(summary, 'utf8').split('\n').filter((line) => line.startsWith('| ✅ |'))).toHaveLength(1);
    process.env.EXPECT_GRADCHECK_REPORTS = join(directory, 'reports');
    process.env.GITHUB_STEP_SUMMARY = directory;
    expect(new Scale()).toHaveCorrectGradients();
    expect(readdirSync(join(directory, 'reports'))).toHaveLength(1);
    expect(ourWarnings(emitted).map((warning) => /: (\S+) is /.exec(warning)?.[1])).toEqual(['EXPECT_GRADCHECK_REPORTS', 'GITHUB_STEP_SUMMARY']);
  });
});

describe('the GitHub job summary', () => {
  it('gets one row per check under one header: the outcome, the test, its file, the verdict and what was expected', () => {
    reportChecksTo(join(directory, 'reports'));
    const summary = join(directory, 'summary.md');
    writeFileSync(summary, '# Tests\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(new ScaleLayer({ dwFactor: 2 })).not.toHaveCorrectGradients();
    thrownMessage(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients());
    const lines = readFileSync(summary, 'utf8').split('\n');
    expect(lines.slice(0, 4)).toEqual(['# Tests', '', SUMMARY_HEADER, '|:---:|---|---|---|---|---|---:|---:|']);
    expect(lines.filter((line) => line === SUMMARY_HEADER)).toHaveLength(1);
    const rows = lines.slice(4).filter((line) => line !== '').map(tableCells);
    const name = 'the GitHub job summary &gt; gets one row per check under one header: the outcome, the test, its file, the verdict and what was expected';
    expect(rows.map((cells) => cells.slice(0, 7))).toEqual([
      ['✅', name, THIS_FILE, 'pass', 'pass', 'exhaustive', '18'],
      ['✅', name, THIS_FILE, 'fail', 'fail (.not)', 'exhaustive', '18'],
      ['❌', name, THIS_FILE, 'fail', 'pass', 'exhaustive', '18'],
    ]);
    expect(rows[0][7]).toMatch(/^\d(\.\d+)?e-\d+$/);
    expect(rows[1][7]).toBe('0.3333');
    // The lock that kept workers from writing two headers is gone.
    expect(existsSync(join(directory, 'reports', '.step-summary.lock'))).toBe(false);
  });

  it('escapes a test name that would forge rows, break out of its cell or render HTML', () => {
    const forged = 'a\n| ✅ | forged | row |\r\nb \\| c <img src=x onerror=alert(1)> `code` [link](http://x) **bold** &amp; _u_ ~s~';
    const cell = markdownCell(forged);
    expect(cell).toBe(
      'a \\| ✅ \\| forged \\| row \\| b &#92;\\| c &lt;img src=x onerror=alert(1)&gt; &#96;code&#96; &#91;link&#93;(http://x) &#42;&#42;bold&#42;&#42; &amp;amp; &#95;u&#95; &#126;s&#126;',
    );
    const row = summaryRow(checkGradients(new Scale()), { file: 'dir|x/a\\.test.ts', testName: forged, line: null }, false);
    expect(row.split('\n')).toHaveLength(1);
    const cells = tableCells(row);
    expect(cells).toHaveLength(8);
    expect(cells[1]).toBe(cell);
    expect(cells[2]).toBe('dir\\|x/a&#92;.test.ts');
    expect(row).not.toMatch(/[<>`\r\n]/);
  });

  it('names a check without a test name by its line', () => {
    const row = tableCells(summaryRow(checkGradients(new Scale()), { file: 'dense.test.js', testName: null, line: 14 }, false));
    expect(row.slice(0, 3)).toEqual(['✅', 'line 14', 'dense.test.js']);
  });
});

describe('reports of a search across configurations', () => {
  const broadcast = shapeCase('broadcast-sum');
  const build = (buggy: boolean) => (config: Record<string, unknown>) => broadcast.build(config as Record<string, number>, buggy);

  it('are one file per search, holding the counterexample and its report, and one summary row', () => {
    reportChecksTo(directory);
    const summary = join(directory, 'summary.md');
    process.env.GITHUB_STEP_SUMMARY = summary;
    expect(() => expect(build(true)).toHaveCorrectGradientsAcross(broadcast.space)).toThrow(/Smallest failing configuration/);
    const files = readdirSync(directory).filter((file) => file.endsWith('.json'));
    expect(files).toHaveLength(1);
    const json = JSON.parse(readFileSync(join(directory, files[0]), 'utf8'));
    expect(json).toMatchObject({ kind: 'across', file: THIS_FILE, expected: 'pass', held: false, verdict: 'fail', spaceKind: 'candidates' });
    expect(json.counterexample.config).toEqual({ rows: 2, cols: 2 });
    expect(json.counterexample.report).toMatchObject({ verdict: 'fail' });
    expect(json.tried.length).toBeGreaterThan(1);
    const rows = readFileSync(summary, 'utf8').split('\n').filter((line) => line.startsWith('| ') && !line.startsWith(SUMMARY_HEADER));
    expect(rows).toHaveLength(1);
    const cells = tableCells(rows[0]);
    expect(cells[0]).toBe('❌');
    expect(cells[3]).toBe('fail at { rows: 2, cols: 2 }');
    expect(cells[5]).toMatch(/^across \d+ configurations$/);
  });

  it('show a passing search and a .not search that found its failure as held, and never change the outcome when unwritable', () => {
    reportChecksTo(directory);
    expect(build(false)).toHaveCorrectGradientsAcross(broadcast.space);
    expect(build(true)).not.toHaveCorrectGradientsAcross(broadcast.space);
    const read = readdirSync(directory).map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')));
    expect(read.map((json) => [json.verdict, json.expected, json.held, json.counterexample === null]).sort()).toEqual([
      ['fail', 'fail', true, false],
      ['pass', 'pass', true, true],
    ]);
    writeFileSync(join(directory, 'file'), '');
    reportChecksTo(join(directory, 'file'));
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    expect(build(false)).toHaveCorrectGradientsAcross(broadcast.space);
    expect(thrownMessage(() => expect(build(true)).toHaveCorrectGradientsAcross(broadcast.space))).toMatch(/Smallest failing configuration: \{ rows: 2, cols: 2 \}/);
    expect(emitted.mock.calls.filter((call) => String(call[0]).includes('could not write a gradient check report'))).toHaveLength(1);
  });
});

describe('a runtime that refuses to read the environment', () => {
  it('counts its variables as unset (Deno without --allow-env throws on every process.env read)', () => {
    reportChecksTo(directory);
    const refusing = new Proxy(
      {},
      {
        get: (_target, name) => {
          throw new Error(`NotCapable: Requires env access to "${String(name)}", run again with the --allow-env flag`);
        },
      },
    );
    const env = Object.getOwnPropertyDescriptor(process, 'env') as PropertyDescriptor;
    Object.defineProperty(process, 'env', { ...env, value: refusing });
    try {
      expect(new ScaleLayer()).toHaveCorrectGradients();
      expect(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients()).toThrow(/disagree/);
    } finally {
      Object.defineProperty(process, 'env', env);
    }
    // The directory set in code still gets its reports; no job summary without GITHUB_STEP_SUMMARY.
    expect(readdirSync(directory)).toHaveLength(2);
  });
});
