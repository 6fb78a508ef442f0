/**
 * The packed package under `bun test` and `deno test`: built and packed from a staged copy, then two
 * fresh projects under the repo's git-ignored `.tmp/`, each with the tarball and the runtime (and,
 * for Deno, Jest's standalone `expect`) installed by a plain `npm install` from the registry, the
 * runtimes' postinstall scripts included (each links its platform package's binary). The fixtures
 * in fixtures/bun and fixtures/deno are what docs/setup.md shows.
 *
 * What is asserted is what was seen, the limits included: Bun names no test to a matcher (reports
 * are named by line) and runs an async matcher to its end inside the call; Deno.test has no hooks,
 * so a check left without await is caught only when it fails before the file's tests end, and npm's
 * `expect` needs `--allow-env`. A runtime that cannot be installed or run fails its tests with the
 * output that says why. Set KEEP_RUNTIMES_TMP=1 to keep the projects for inspection.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test, type ExpectStatic } from 'vitest';
import { buildAndPackStaged, createQueue, fixturesDir, installedVersion, npmInstall, repoRoot, run, specVersion, startedNow, type RunResult } from './harness.js';
import { BUN, DENO, DENO_EXPECT } from './runtimes.js';

/** Each test awaits the build, an install and runs queued behind others: long, but bounded. */
const TEST_TIMEOUT = 300_000;
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** A runtime run at a time per core. */
const runQueue = createQueue(2);

const SUMMARY_HEADER = '| outcome | test | file | verdict | expected | mode | entries | worst normalized error |';
const HINT = 'expect(layer).toHaveCorrectGradients()';
const WORST_ENTRY = /^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m;

let workDir = '';
let built: Promise<string>;
const installs = new Map<'bun' | 'deno', Promise<RunResult>>();
const runs = new Map<string, Promise<RunResult>>();

/** The 1-based line of a fixture that is exactly `text` (trimmed): where a report names a check. */
function lineOf(fixture: string, text: string): number {
  const index = readFileSync(join(fixturesDir, fixture), 'utf8').split('\n').findIndex((line) => line.trim() === text);
  if (index < 0) throw new Error(`${fixture} has no line ${text}`);
  return index + 1;
}

/** A project of `files` (copied from fixtures/ as named), its install started once the tarball is packed. */
function startProject(name: 'bun' | 'deno', files: Record<string, string>, specs: string[]): string {
  const project = join(workDir, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `runtime-${name}`, private: true, type: 'module' }, null, 2)}\n`);
  for (const [target, source] of Object.entries(files)) cpSync(join(fixturesDir, source), join(project, target));
  // With install scripts, as a user installs: each runtime's postinstall links its binary into node_modules/.bin.
  installs.set(name, startedNow(built.then((tarball) => npmInstall(project, [tarball, ...specs], { scripts: true }))));
  return project;
}

/** A run of the project's runtime binary, queued once its install succeeded. */
function startRun(name: 'bun' | 'deno', key: string, args: string[], env: Record<string, string> = {}): void {
  const project = join(workDir, name);
  const binary = join(project, 'node_modules', '.bin', name);
  const install = installs.get(name)!.catch((error: unknown) => {
    throw new Error(`${name} did not install, so it did not run:\n${String(error)}`);
  });
  runs.set(key, startedNow(install.then(() => runQueue(() => run(binary, args, project, env)))));
}

async function runOf(key: string): Promise<RunResult> {
  const result = await runs.get(key);
  if (result === undefined) throw new Error(`${key} was never started`);
  return result;
}

/** The JSON report files of a directory, sorted, or why there are none. */
/**
 * The message of a failed check of the doubled weight gradient, as jestMatchers writes it: the
 * one-line hint first, the report naming w[1], and the diff inside the message.
 */
function assertDoubledWeightMessage(expect: ExpectStatic, message: string): void {
  expect(message.split('\n')[0]).toBe(HINT);
  expect(message).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
  expect(message).toMatch(WORST_ENTRY);
  expect(message).toMatch(/^- Numeric \(finite differences\)\n\+ Analytic \(backward\)$/m);
  expect(message).toMatch(/^- w\[1\]: -1\.89/m);
  expect(message).toMatch(/^\+ w\[1\]: -3\.78/m);
}

const reportFiles = (directory: string): string[] => (existsSync(directory) ? readdirSync(directory).sort() : [`(no directory ${directory})`]);

beforeAll(() => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'runtimes-'));
  built = startedNow(buildAndPackStaged(workDir));

  const bun = startProject('bun', { 'gradients.test.js': 'bun/gradients.fixture.js', 'scale-layer.cjs': 'shared/scale-layer.cjs' }, [BUN]);
  startRun('bun', 'bun --version', ['--version']);
  startRun('bun', 'bun test', ['test'], { EXPECT_GRADCHECK_REPORTS: join(bun, 'reports'), GITHUB_STEP_SUMMARY: join(bun, 'summary.md') });

  const deno = startProject(
    'deno',
    {
      'deno.json': 'deno/deno.json',
      'gradients.test.js': 'deno/gradients.fixture.js',
      'no-permissions.test.js': 'deno/no-permissions.fixture.js',
      'unawaited-last.test.js': 'deno/unawaited-last.fixture.js',
      'unawaited-early.test.js': 'deno/unawaited-early.fixture.js',
      'scale-layer.cjs': 'shared/scale-layer.cjs',
    },
    [DENO, DENO_EXPECT],
  );
  // Deno's own cache inside the project; no look-up of a newer Deno.
  const denoEnv = (extra: Record<string, string> = {}): Record<string, string> => ({ DENO_DIR: join(deno, '.deno'), DENO_NO_UPDATE_CHECK: '1', ...extra });
  startRun('deno', 'deno --version', ['--version'], denoEnv());
  startRun('deno', 'deno test --allow-env', ['test', '--allow-env', 'gradients.test.js'], denoEnv({ EXPECT_GRADCHECK_REPORTS: join(deno, 'reports-denied') }));
  startRun(
    'deno',
    'deno test --allow-env --allow-read --allow-write',
    ['test', '--allow-env', '--allow-read', '--allow-write', 'gradients.test.js'],
    denoEnv({ EXPECT_GRADCHECK_REPORTS: join(deno, 'reports'), GITHUB_STEP_SUMMARY: join(deno, 'summary.md') }),
  );
  startRun('deno', 'deno test', ['test', 'gradients.test.js'], denoEnv());
  startRun('deno', 'deno test no-permissions', ['test', 'no-permissions.test.js'], denoEnv({ EXPECT_GRADCHECK_REPORTS: join(deno, 'reports-refused') }));
  startRun('deno', 'deno test unawaited-last', ['test', '--allow-env', 'unawaited-last.test.js'], denoEnv());
  startRun('deno', 'deno test unawaited-early', ['test', '--allow-env', 'unawaited-early.test.js'], denoEnv());
});

afterAll(async () => {
  if (workDir === '') return;
  await Promise.allSettled([built, ...installs.values(), ...runs.values()]);
  if (process.env.KEEP_RUNTIMES_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tests may keep things there
  } catch {
    // not empty, or already gone
  }
}, TEST_TIMEOUT);

describe.concurrent(`${BUN.replace('@', ' ')}: bun test with expect.extend(jestMatchers) from bun:test`, () => {
  const fixture = 'bun/gradients.fixture.js';

  test(`a plain \`npm install -D\` of the tarball and ${BUN} installs them, and its binary runs (the postinstall downloads nothing)`, async ({ expect }) => {
    const project = join(workDir, 'bun');
    await installs.get('bun');
    expect(installedVersion(project, 'expect-gradcheck')).toBe(packageVersion);
    expect(installedVersion(project, 'bun')).toBe(specVersion(BUN)[1]);
    const version = await runOf('bun --version');
    expect(version.code, version.output).toBe(0);
    expect(version.stdout.trim()).toBe(specVersion(BUN)[1]);
  }, TEST_TIMEOUT);

  test('a correct layer and .not on a buggy one pass; buggy sync and async layers fail naming w[1], with a diff; the hint is the message’s first line', async ({ expect }) => {
    const { code, output } = await runOf('bun test');
    expect(output, 'the project’s own Bun ran').toContain(`bun test v${specVersion(BUN)[1]} `);
    expect(code, output).toBe(1);
    expect(output).toMatch(/^ 5 pass$/m);
    expect(output).toMatch(/^ 3 fail$/m);
    for (const passed of [
      'a correct layer passes',
      '.not passes on a layer with a doubled weight gradient',
      'an async layer gets an awaited matcher',
      'a Promise of a layer through .resolves, the asymmetric form, and a search across configurations',
      'a failing check of an async layer throws from the call itself',
    ]) {
      expect(output).toContain(`(pass) ${passed} [`);
    }
    for (const failed of ['a layer with a doubled weight gradient fails', 'an async layer with a doubled weight gradient fails', 'a slow buggy layer checked without await fails its test all the same']) {
      expect(output).toContain(`(fail) ${failed} [`);
    }
    // Bun prints its own line (`error: expect(received).toHaveCorrectGradients(...args)`), then the
    // message: its first line is the one-line hint (Bun's own matcherHint would span lines).
    const messages = output.split(/^error: expect\(received\)\.toHaveCorrectGradients\(\.\.\.args\)\n\n/m).slice(1);
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      // Bun draws no diff from the matcher's result: jestMatchers' message carries it.
      assertDoubledWeightMessage(expect, message);
    }
    // The check left without await failed at its own line: Bun ran it to its end inside the call.
    expect(output).toContain(`gradients.test.js:${lineOf(fixture, 'expect(new SlowScale(2)).toHaveCorrectGradients();')}:`);
  }, TEST_TIMEOUT);

  test('EXPECT_GRADCHECK_REPORTS: a report per check, named by file and line (Bun names no test to a matcher), and a job summary row each', async ({ expect }) => {
    const { output } = await runOf('bun test');
    const project = join(workDir, 'bun');
    expect(output).not.toContain('ExpectGradcheckWarning');
    const buggy = lineOf(fixture, 'expect(new Scale(2)).toHaveCorrectGradients();');
    const correct = lineOf(fixture, 'expect(new Scale()).toHaveCorrectGradients();');
    const files = reportFiles(join(project, 'reports'));
    expect(files).toContain(`gradients-test--line-${buggy}.json`);
    expect(files).toContain(`gradients-test--line-${correct}.json`);
    expect(files.every((file) => /^gradients-test--line-\d+\.json$/.test(file)), files.join(', ')).toBe(true);
    const report = JSON.parse(readFileSync(join(project, 'reports', `gradients-test--line-${buggy}.json`), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ test: null, file: 'gradients.test.js', line: buggy, verdict: 'fail', expected: 'pass', held: false });
    const rows = readFileSync(join(project, 'summary.md'), 'utf8').split('\n');
    expect(rows.filter((row) => row === SUMMARY_HEADER)).toHaveLength(1);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^\\| ❌ \\| line ${buggy} \\| gradients\\.test\\.js \\| fail \\| pass \\| exhaustive \\| 6 \\|`)));
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^\\| ✅ \\| line ${correct} \\| gradients\\.test\\.js \\| pass \\| pass \\| exhaustive \\| 6 \\|`)));
  }, TEST_TIMEOUT);
});

describe.concurrent(`${DENO.replace('@', ' ')}: deno test with Jest's standalone ${DENO_EXPECT} from node_modules`, () => {
  const fixture = 'deno/gradients.fixture.js';

  test(`a plain \`npm install -D\` of the tarball, ${DENO} and ${DENO_EXPECT} installs them, and its binary runs (the postinstall downloads nothing)`, async ({ expect }) => {
    const project = join(workDir, 'deno');
    await installs.get('deno');
    expect(installedVersion(project, 'expect-gradcheck')).toBe(packageVersion);
    expect(installedVersion(project, 'deno')).toBe(specVersion(DENO)[1]);
    expect(installedVersion(project, 'expect')).toBe(specVersion(DENO_EXPECT)[1]);
    const version = await runOf('deno --version');
    expect(version.code, version.output).toBe(0);
    expect(version.stdout).toMatch(new RegExp(`^deno ${specVersion(DENO)[1].replaceAll('.', '\\.')} `));
  }, TEST_TIMEOUT);

  test('--allow-env: a correct layer and .not on a buggy one pass; buggy sync and async layers fail naming w[1], with a diff; the hint is the message’s first line', async ({
    expect,
  }) => {
    const { code, output } = await runOf('deno test --allow-env');
    expect(code, output).toBe(1);
    expect(output).toMatch(/^FAILED \| 4 passed \| 2 failed \(/m);
    for (const passed of [
      'a correct layer passes',
      '.not passes on a layer with a doubled weight gradient',
      'an async layer gets an awaited matcher',
      'a Promise of a layer through .resolves, the asymmetric form, and a search across configurations',
    ]) {
      expect(output).toContain(`${passed} ... ok (`);
    }
    for (const failed of ['a layer with a doubled weight gradient fails', 'an async layer with a doubled weight gradient fails']) {
      expect(output).toContain(`${failed} ... FAILED (`);
    }
    const messages = output.split(/^error: Error: /m).slice(1);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      assertDoubledWeightMessage(expect, message);
    }
  }, TEST_TIMEOUT);

  test('EXPECT_GRADCHECK_REPORTS without --allow-write: one warning per target, no report, the same results', async ({ expect }) => {
    const { output } = await runOf('deno test --allow-env');
    expect(output.match(/ExpectGradcheckWarning: expect-gradcheck could not write a gradient check report: EXPECT_GRADCHECK_REPORTS is "[^"]+" \(NotCapable: Requires write access/g)).toHaveLength(1);
    expect(existsSync(join(workDir, 'deno', 'reports-denied'))).toBe(false);
  }, TEST_TIMEOUT);

  test('--allow-env --allow-read --allow-write: a report per check, named by file and line, and a job summary row each', async ({ expect }) => {
    const { code, output } = await runOf('deno test --allow-env --allow-read --allow-write');
    const project = join(workDir, 'deno');
    expect(code, output).toBe(1);
    expect(output).toMatch(/^FAILED \| 4 passed \| 2 failed \(/m);
    expect(output).not.toContain('ExpectGradcheckWarning');
    const buggy = lineOf(fixture, 'expect(new Scale(2)).toHaveCorrectGradients();');
    const correct = lineOf(fixture, 'expect(new Scale()).toHaveCorrectGradients();');
    const files = reportFiles(join(project, 'reports'));
    expect(files).toContain(`gradients-test--line-${buggy}.json`);
    expect(files.every((file) => /^gradients-test--line-\d+\.json$/.test(file)), files.join(', ')).toBe(true);
    const report = JSON.parse(readFileSync(join(project, 'reports', `gradients-test--line-${buggy}.json`), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ test: null, file: 'gradients.test.js', line: buggy, verdict: 'fail', expected: 'pass', held: false });
    const rows = readFileSync(join(project, 'summary.md'), 'utf8').split('\n');
    expect(rows.filter((row) => row === SUMMARY_HEADER)).toHaveLength(1);
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^\\| ❌ \\| line ${buggy} \\| gradients\\.test\\.js \\| fail \\| pass \\| exhaustive \\| 6 \\|`)));
    expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^\\| ✅ \\| line ${correct} \\| gradients\\.test\\.js \\| pass \\| pass \\| exhaustive \\| 6 \\|`)));
  }, TEST_TIMEOUT);

  test('without --allow-env, npm’s expect does not load (it reads NODE_ENV); expect-gradcheck alone needs no permission and writes no report', async ({ expect }) => {
    const denied = await runOf('deno test');
    expect(denied.code, denied.output).toBe(1);
    expect(denied.output).toContain('NotCapable: Requires env access to "NODE_ENV", run again with the --allow-env flag');
    const alone = await runOf('deno test no-permissions');
    expect(alone.code, alone.output).toBe(0);
    expect(alone.output).toMatch(/^ok \| 1 passed \| 0 failed \(/m);
    expect(alone.output).toMatch(WORST_ENTRY);
    expect(alone.output).not.toContain('ExpectGradcheckWarning');
    expect(existsSync(join(workDir, 'deno', 'reports-refused'))).toBe(false);
  }, TEST_TIMEOUT);

  test('Deno.test has no hooks: a check left without await passes unseen when still running at the last test’s end', async ({ expect }) => {
    const { code, output } = await runOf('deno test unawaited-last');
    expect(code, output).toBe(0);
    expect(output).toContain('a slow buggy layer checked without await, in the last test ... ok (');
    expect(output).toMatch(/^ok \| 1 passed \| 0 failed \(/m);
  }, TEST_TIMEOUT);

  test('…and fails the whole file as an uncaught error, cancelling its tests, when it fails while a test runs', async ({ expect }) => {
    const { code, output } = await runOf('deno test unawaited-early');
    expect(code, output).toBe(1);
    expect(output).toContain('Uncaught error from ./unawaited-early.test.js FAILED');
    expect(output).toContain('a buggy async layer checked without await ... cancelled (');
    expect(output).toContain('a test after it ... cancelled (');
    expect(output).toMatch(/^error: \(in promise\) Error: expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
    expect(output).toMatch(WORST_ENTRY);
  }, TEST_TIMEOUT);
});
