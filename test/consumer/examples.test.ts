/**
 * Every project in examples/ run as a user runs it: the package built and packed once, each example
 * copied into a fresh project under the repo's git-ignored `.tmp/`, its `expect-gradcheck`
 * dependency (`file:../..` in the repo) pointed at the tarball, a plain `npm install` of its own
 * dependencies (in parallel, from the npm cache where it can), then its own `npm test`.
 *
 * The package is built from a staged copy of its sources (buildAndPackStaged), not in place:
 * packed-package.test.ts builds the repo's `dist/` too, and the two may run at once in two workers.
 *
 * Node and tsc would find a package an example forgot to declare by walking up to the repo's
 * node_modules, so the examples' imports, setup entries, type entries and test binaries are checked
 * against their declared dependencies. Set KEEP_EXAMPLES_TMP=1 to keep the projects for inspection.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { buildAndPackStaged, mustRun, repoRoot, run, slowDenseSource } from './harness.js';

const examplesDir = join(repoRoot, 'examples');
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** What each example's `npm test` must print (besides exiting 0): its runner's count of 2 passing tests. */
const EXPECTED_OUTPUT: Record<string, RegExp[]> = {
  'vitest-typescript': [/Tests\s+2 passed \(2\)/],
  'jest-commonjs': [/Tests:\s+2 passed, 2 total/],
  'jest-esm': [/Tests:\s+2 passed, 2 total/],
  'node-test': [/^# pass 2$/m, /^# fail 0$/m],
  tfjs: [/Tests\s+2 passed \(2\)/],
  ci: [/Tests\s+2 passed \(2\)/],
  recipes: [/Tests\s+4 passed \(4\)/],
};

/** The package a test script's binary comes from. */
const BINARIES: Record<string, string> = { tsc: 'typescript', vitest: 'vitest', jest: 'jest' };

interface Manifest {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Files of a project as a user would copy them: no installed modules, lockfiles or reports. */
function sourceFiles(directory: string, relative = ''): string[] {
  return readdirSync(join(directory, relative), { withFileTypes: true }).flatMap((entry) => {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (['node_modules', 'reports', 'package-lock.json'].includes(entry.name)) return [];
    return entry.isDirectory() ? sourceFiles(directory, path) : [path];
  });
}

/** Every package a project's files name: imports, requires, type references, setup entries and tsconfig types, test binaries. */
function packagesUsed(directory: string): Map<string, string> {
  const used = new Map<string, string>();
  const add = (specifier: string, where: string): void => {
    if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) return;
    const parts = specifier.split('/');
    used.set(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0], where);
  };
  for (const file of sourceFiles(directory).filter((path) => /\.(c|m)?(j|t)s$|tsconfig(\.[\w-]+)?\.json$/.test(path))) {
    const text = readFileSync(join(directory, file), 'utf8');
    const patterns = [
      /\bfrom\s+['"]([^'"]+)['"]/g,
      /^\s*import\s+['"]([^'"]+)['"]/gm,
      /\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
      /\/\/\/\s*<reference\s+types="([^"]+)"/g,
    ];
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) add(match[1], file);
    // Setup entries (setupFiles, setupFilesAfterEnv) and tsconfig "types" are package paths too.
    for (const list of text.matchAll(/(?:setupFiles(?:AfterEnv)?|"types")\s*:\s*\[([^\]]*)\]/g)) {
      for (const entry of list[1].matchAll(/['"]([^'"]+)['"]/g)) add(entry[1], file);
    }
  }
  const manifest = readJson<Manifest>(join(directory, 'package.json'));
  for (const word of (manifest.scripts?.test ?? '').split(/\s+/)) if (word in BINARIES) add(BINARIES[word], 'package.json scripts.test');
  return used;
}

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * Block YAML as GitHub workflows use it: mappings, sequences (`- ` items, mappings inside), plain or
 * quoted scalars, `[a, b]` lists and comments. Enough to read a workflow's structure, not a YAML parser.
 */
function parseWorkflow(text: string): Yaml {
  const lines = text
    .split('\n')
    .map((raw) => raw.replace(/(^|\s)#.*$/, '').trimEnd())
    .filter((line) => line.trim() !== '')
    .map((line) => ({ indent: line.length - line.trimStart().length, content: line.trim() }));
  if (lines.some((line) => /\t/.test(line.content))) throw new Error('tabs in YAML');
  let index = 0;
  const scalar = (value: string): Yaml => {
    if (/^\[.*\]$/.test(value)) return value.slice(1, -1).split(',').map((item) => scalar(item.trim()));
    return value.replace(/^(['"])(.*)\1$/, '$2');
  };
  const block = (indent: number): Yaml => {
    if (lines[index].content.startsWith('- ') || lines[index].content === '-') {
      const items: Yaml[] = [];
      while (index < lines.length && lines[index].indent === indent && lines[index].content.startsWith('-')) {
        const rest = lines[index].content.slice(1).trimStart();
        if (/^[\w.-]+:(\s|$)/.test(rest)) {
          // `- key: value` opens a mapping whose keys sit two columns in.
          lines[index] = { indent: indent + 2, content: rest };
          items.push(block(indent + 2));
        } else {
          items.push(scalar(rest));
          index += 1;
        }
      }
      return items;
    }
    const mapping: Record<string, Yaml> = {};
    while (index < lines.length && lines[index].indent === indent) {
      const match = /^([\w.-]+):(?:\s+(.*))?$/.exec(lines[index].content);
      if (match === null) throw new Error(`not a key: ${lines[index].content}`);
      index += 1;
      const nested = index < lines.length && (lines[index].indent > indent || (lines[index].indent === indent && lines[index].content.startsWith('- ')));
      mapping[match[1]] = match[2] !== undefined ? scalar(match[2]) : nested ? block(lines[index].indent) : '';
    }
    return mapping;
  };
  const parsed = block(0);
  if (index !== lines.length) throw new Error(`unparsed YAML from: ${lines[index].content}`);
  return parsed;
}

let workDir = '';
let tarball = '';
const projects: Record<string, string> = {};
/** Each example's install, started in beforeAll and awaited by its own tests, so a quick install's tests run while a slow one is still going. */
const installs: Record<string, Promise<void>> = {};

/** Waits for an example's install; long enough for a cold npm cache. */
const INSTALL_TIMEOUT = 240_000;

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'examples-'));

  tarball = await buildAndPackStaged(workDir);

  for (const name of Object.keys(EXPECTED_OUTPUT)) {
    const project = join(workDir, name);
    for (const file of sourceFiles(join(examplesDir, name))) cpSync(join(examplesDir, name, file), join(project, file));
    const packageJson = readJson<Manifest>(join(project, 'package.json'));
    const dependencies = packageJson.devDependencies?.['expect-gradcheck'] !== undefined ? packageJson.devDependencies : packageJson.dependencies;
    if (dependencies?.['expect-gradcheck'] !== 'file:../..') throw new Error(`examples/${name}/package.json must depend on expect-gradcheck as file:../..`);
    dependencies['expect-gradcheck'] = `file:${tarball}`;
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
    projects[name] = project;
  }

  // Plain installs, all at once; --prefer-offline takes what the npm cache already holds without asking the registry.
  for (const [name, project] of Object.entries(projects)) {
    installs[name] = mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project).then(() => undefined);
    // The example's tests await it and report its failure; this only keeps a filtered-out test's install from an unhandled rejection.
    installs[name].catch(() => undefined);
  }
}, 120_000);

// Explicit: the installs have normally settled (every example's tests await theirs), but deleting the
// six installed projects (about 350 MB) takes about 9 s on 2 idle cores, so it overran Vitest's
// default 10 s hook timeout on a busy machine.
afterAll(async () => {
  await Promise.allSettled(Object.values(installs));
  if (workDir === '' || process.env.KEEP_EXAMPLES_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tests may keep things there
  } catch {
    // not empty, or already gone
  }
}, INSTALL_TIMEOUT);

describe.concurrent('the examples, each in a fresh project with the packed package', () => {
  test('every directory in examples/ is run here', ({ expect }) => {
    const directories = readdirSync(examplesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(directories.map((entry) => entry.name).sort()).toEqual(Object.keys(EXPECTED_OUTPUT).sort());
  });

  test('every package an example uses is one it declares (none is borrowed from the repo)', ({ expect }) => {
    for (const name of Object.keys(EXPECTED_OUTPUT)) {
      const manifest = readJson<Manifest>(join(examplesDir, name, 'package.json'));
      const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
      const undeclared = [...packagesUsed(join(examplesDir, name))].filter(([used]) => !declared.has(used));
      expect(undeclared, `examples/${name}`).toEqual([]);
      expect(packagesUsed(join(examplesDir, name)).has('expect-gradcheck'), `examples/${name} uses expect-gradcheck`).toBe(true);
    }
  });

  test.for(Object.keys(EXPECTED_OUTPUT).filter((name) => name !== 'ci'))(
    'examples/%s: npm test passes',
    { timeout: INSTALL_TIMEOUT },
    async (name, { expect }) => {
      await installs[name];
      const result = await run('npm', ['test'], projects[name]);
      expect(result.code, result.output).toBe(0);
      for (const line of EXPECTED_OUTPUT[name]) expect(result.output).toMatch(line);
    },
  );

  test("examples/node-test: the types line gives the standalone expect the matcher's types (tsc, strict)", { timeout: INSTALL_TIMEOUT }, async ({ expect }) => {
    await installs['node-test'];
    const project = projects['node-test'];
    const args = ['--noEmit', '--allowJs', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    const typed = await run(process.execPath, [tsc, ...args, 'dense.test.js'], project);
    expect(typed.output).not.toContain('error TS');
    expect(typed.code, typed.output).toBe(0);
    // Without the reference line the same file does not compile: the line is what types the matcher.
    const source = readFileSync(join(project, 'dense.test.js'), 'utf8');
    writeFileSync(join(project, 'without-reference.js'), source.replace(/^\/\/\/ <reference types="expect-gradcheck\/jest-globals" \/>\n/m, ''));
    const untyped = await run(process.execPath, [tsc, ...args, 'without-reference.js'], project);
    expect(untyped.output).toContain("error TS2339: Property 'toHaveCorrectGradients' does not exist");
  });

  test('examples/node-test: with its failUnawaitedChecks line, a check of an async layer left without await fails its test, showing the await', { timeout: INSTALL_TIMEOUT }, async ({
    expect,
  }) => {
    await installs['node-test'];
    const project = projects['node-test'];
    // The example's own setup lines, then an async Dense (2 ms per call, as a GPU read-back) checked without await.
    const source = readFileSync(join(project, 'dense.test.js'), 'utf8');
    const setup = source.slice(0, source.indexOf("\ntest('"));
    const unawaited = `${setup}
${slowDenseSource('SlowDense')}

test('an async layer checked without await', () => {
  expect(new SlowDense(4, 3, { bug: 'bias-first-sample' })).toHaveCorrectGradients();
});
`;
    writeFileSync(join(project, 'unawaited.test.js'), unawaited);
    const result = await run(process.execPath, ['--test', 'unawaited.test.js'], project);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/^# fail 1$/m);
    expect(result.output).toContain("failureType: 'hookFailed'");
    expect(result.output).toContain('The check was not awaited.');
    expect(result.output).toMatch(/^\s+await expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
    expect(result.output).toContain('It failed after the test ended, and the test never saw it:');
    expect(result.output).toMatch(/unawaited\.test\.js:\d+:\d+\)$/m);
  });

  test('examples/ci: the workflow runs the tests with EXPECT_GRADCHECK_REPORTS and uploads the reports, also on failure', ({ expect }) => {
    const workflow = parseWorkflow(readFileSync(join(examplesDir, 'ci', '.github', 'workflows', 'gradients.yml'), 'utf8')) as Record<string, Yaml>;
    expect(Object.keys(workflow.on as object).sort()).toEqual(['pull_request', 'push']);
    const jobs = Object.values(workflow.jobs as Record<string, { steps: Array<Record<string, Yaml>> }>);
    expect(jobs).toHaveLength(1);
    const steps = jobs[0].steps;
    expect(steps.map((step) => step.uses ?? step.run)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'npm ci', 'npm test', 'actions/upload-artifact@v4']);
    expect(steps[3].env).toEqual({ EXPECT_GRADCHECK_REPORTS: 'reports/gradients' });
    expect(steps[4]).toMatchObject({ if: 'always()', with: { path: 'reports/gradients' } });
  });

  test('examples/ci: its test command with EXPECT_GRADCHECK_REPORTS set writes a JSON report per check and a job summary row per check', { timeout: INSTALL_TIMEOUT }, async ({
    expect,
  }) => {
    await installs.ci;
    const workflow = parseWorkflow(readFileSync(join(examplesDir, 'ci', '.github', 'workflows', 'gradients.yml'), 'utf8')) as Record<string, Yaml>;
    const [job] = Object.values(workflow.jobs as Record<string, { steps: Array<Record<string, string>> }>);
    const testStep = job.steps.find((step) => step.env !== undefined)!;
    const [command, ...args] = testStep.run.split(/\s+/);
    const reports = join(workDir, 'ci-reports', 'gradients');
    const summary = join(workDir, 'ci-summary.md');
    const result = await run(command, args, projects.ci, { EXPECT_GRADCHECK_REPORTS: reports, GITHUB_STEP_SUMMARY: summary });
    expect(result.code, result.output).toBe(0);
    for (const line of EXPECTED_OUTPUT.ci) expect(result.output).toMatch(line);
    expect(readdirSync(reports).sort()).toEqual([
      'dense-test--a-bias-gradient-taken-from-the-first-sample-only-is-caught.json',
      'dense-test--dense-has-correct-gradients.json',
    ]);
    const report = readJson<{ test: string; file: string; verdict: string; tensors: Array<{ name: string }> }>(
      join(reports, 'dense-test--dense-has-correct-gradients.json'),
    );
    expect(report).toMatchObject({ test: 'Dense has correct gradients', verdict: 'pass' });
    expect(basename(report.file)).toBe('dense.test.js');
    expect(report.tensors.map((tensor) => tensor.name)).toEqual(['W', 'b', 'input']);
    expect(report).toMatchObject({ file: 'dense.test.js', expected: 'pass', held: true });
    const rows = readFileSync(summary, 'utf8').split('\n');
    expect(rows.filter((row) => row === '| outcome | test | file | verdict | expected | mode | entries | worst normalized error |')).toHaveLength(1);
    expect(rows.filter((row) => row.startsWith('| ✅ | Dense has correct gradients | dense.test.js | pass | pass | exhaustive | 23 |'))).toHaveLength(1);
    // The .not check of the buggy layer held: its verdict is fail, and fail is what the test expected.
    expect(rows.filter((row) => row.startsWith('| ✅ | a bias gradient taken from the first sample only is caught | dense.test.js | fail | fail (.not) |'))).toHaveLength(1);
  });
});
