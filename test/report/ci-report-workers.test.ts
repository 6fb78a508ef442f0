/**
 * CI reports from a real run: the repo's own Vitest in a child process, over a temporary project
 * with two `dense.test.ts` in different folders, run by two Vitest projects (as a workspace runs
 * the same files in two environments) on two worker processes. Reports from different folders
 * must differ by name, and the same test checked in two processes at once must get two files:
 * the file system, not a per-process count, hands out the names. The same run's JUnit XML and
 * verbose output show what a failing check's message looks like to those reporters.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, repoRoot, writeFiles } from '../consumer/harness.js';

/** One Vitest start and eight small test files on two workers: about 5 s on 2 busy cores. */
const RUN_TIMEOUT = 120_000;

const testFile = `import { expect, test } from 'vitest';
import { Scale } from ${JSON.stringify(join(repoRoot, 'test', 'zoo', 'protocol', 'weight-scale.ts'))};

test('a correct layer', () => {
  expect(new Scale()).toHaveCorrectGradients();
});

test('checks in a loop', () => {
  for (let i = 0; i < 4; i++) expect(new Scale()).toHaveCorrectGradients();
});

test('a wrong layer, with .not', () => {
  expect(new Scale(2)).not.toHaveCorrectGradients();
});

test('a wrong layer <img src=x> | named\\\\| to forge', () => {
  expect(new Scale(2)).toHaveCorrectGradients();
});
`;

/** Two Vitest projects over the same two files: every test file runs twice, in separate worker processes. */
const config = (project: string): string => `{ test: { name: '${project}', include: ['a/dense.test.ts', 'b/dense.test.ts'], setupFiles: [${JSON.stringify(join(repoRoot, 'src', 'vitest.ts'))}] } }`;
const vitestConfig = `export default { test: { maxWorkers: 2, fileParallelism: true, projects: [${config('one')}, ${config('two')}] } };\n`;

let work = '';
let output = '';
let code: number | null = null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gradcheck-workers-'));
  const project = join(work, 'project');
  writeFiles(project, { 'a/dense.test.ts': testFile, 'b/dense.test.ts': testFile, 'vitest.config.mjs': vitestConfig });
  // Colours on (as CI=true turns them on in GitHub Actions), so the JUnit XML shows any colour codes left in messages.
  const env = childEnv({ FORCE_COLOR: '1', EXPECT_GRADCHECK_REPORTS: join(work, 'reports'), GITHUB_STEP_SUMMARY: join(work, 'summary.md') });
  delete env.NO_COLOR;
  const args = [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose', '--reporter=junit', `--outputFile.junit=${join(work, 'junit.xml')}`];
  await new Promise<void>((resolve) => {
    execFile(process.execPath, args, { cwd: project, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      output = stripVTControlCharacters(`${stdout}\n${stderr}`);
      resolve();
    });
  });
}, RUN_TIMEOUT);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

const CHECKS_PER_FILE = 7;
const HEADLINE = '3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42';

describe('a Vitest run on two workers, each test file run by two projects', () => {
  it('ran as planned: 16 tests, the 4 checks of a wrong layer failing', () => {
    expect(output).toMatch(/Tests\s+4 failed \| 12 passed \(16\)/);
    expect(code, output).toBe(1);
  });

  it('writes one report file per check, 28 for 28: never two checks in one file, the folders told apart', () => {
    const files = readdirSync(join(work, 'reports')).sort();
    expect(files).toHaveLength(4 * CHECKS_PER_FILE);
    const reports = files.map((file) => JSON.parse(readFileSync(join(work, 'reports', file), 'utf8')) as { file: string; test: string; expected: string; held: boolean });
    for (const folder of ['a', 'b']) {
      expect(reports.filter((report) => report.file === `${folder}/dense.test.ts`)).toHaveLength(2 * CHECKS_PER_FILE);
      const named = (test: string): string[] => files.filter((file) => file.startsWith(`${folder}-dense-test--${test}`));
      // Each name once per project; the loop's four checks twice: the first free suffixes, whichever process came first.
      expect(named('a-correct-layer')).toEqual([`${folder}-dense-test--a-correct-layer-2.json`, `${folder}-dense-test--a-correct-layer.json`]);
      expect(named('checks-in-a-loop').sort()).toEqual(['', '-2', '-3', '-4', '-5', '-6', '-7', '-8'].map((suffix) => `${folder}-dense-test--checks-in-a-loop${suffix}.json`).sort());
    }
    expect(reports.filter((report) => report.expected === 'fail' && report.held)).toHaveLength(4);
    expect(reports.filter((report) => !report.held)).toHaveLength(4);
  });

  it('appends one summary row per check under one header, the .not checks held, the forged name in its cell', () => {
    const lines = readFileSync(join(work, 'summary.md'), 'utf8').split('\n');
    expect(lines.filter((line) => line.startsWith('| outcome |'))).toHaveLength(1);
    const rows = lines.filter((line) => /^\| [✅❌] \|/.test(line));
    expect(rows).toHaveLength(4 * CHECKS_PER_FILE);
    expect(rows.filter((row) => row.startsWith('| ✅ | a wrong layer, with .not | ') && row.includes(' | fail | fail (.not) | '))).toHaveLength(4);
    expect(rows.filter((row) => row.startsWith('| ❌ | a wrong layer &lt;img src=x&gt; \\| named&#92;\\| to forge | '))).toHaveLength(4);
    expect(lines.join('\n')).not.toContain('<img');
  });

  it('JUnit XML: the failure messages carry no colour-code remains, and each holds the report once', () => {
    const xml = readFileSync(join(work, 'junit.xml'), 'utf8');
    // The reporter drops ESC (invalid in XML) but keeps the rest of a colour code: `[2m`, `[31m`.
    expect(xml).not.toMatch(/\[\d+(;\d+)*m/);
    const failures = [...xml.matchAll(/<failure message="([^"]*)"[^>]*>([^<]*)<\/failure>/g)];
    expect(failures).toHaveLength(4);
    for (const [, message, body] of failures) {
      expect(message.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
      expect(message.split(HEADLINE)).toHaveLength(2);
      expect(body.split(HEADLINE)).toHaveLength(2);
      expect(body.split('- Expected')).toHaveLength(2);
    }
  });

  it('verbose: the report is printed where Vitest prints every failing message, under the test and in its failure block, once each', () => {
    // Vitest's verbose reporter prints each error's message under the failed test and again in the
    // failure summary, for its own multi-line messages too (toHaveBeenCalledWith); Jest's once.
    // The report adds no copy of its own: not in the diff, not in the stack.
    // The failure summary: one block per distinct error (Vitest groups the projects' identical ones), up to its `⎯⎯[i/n]⎯` rule.
    const blocks = output
      .slice(output.indexOf('Failed Tests'))
      .split(/^⎯+\[\d+\/\d+\]⎯$/m)
      .map((text) => ({ failed: text.match(/^ FAIL .* > .+$/gm)?.length ?? 0, text }))
      .filter((block) => block.failed > 0);
    expect(blocks.reduce((n, block) => n + block.failed, 0)).toBe(4);
    // Under each of the 4 failed tests, then once in each failure block.
    expect(output.split(HEADLINE)).toHaveLength(1 + 4 + blocks.length);
    for (const block of blocks) {
      expect(block.text.split(HEADLINE)).toHaveLength(2);
      expect(block.text.split('Worst entries:')).toHaveLength(2);
      expect(block.text.split('- Expected')).toHaveLength(2);
    }
  });
});
