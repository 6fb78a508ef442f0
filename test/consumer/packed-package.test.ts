/**
 * End-to-end test of the published package: build, `npm pack`, install the tarball into fresh
 * consumer projects, and run real Vitest, Jest, tsc and Node there, asserting on what they print.
 *
 * The projects live under the repo's git-ignored `.tmp/`, so Node and tsc find vitest, jest,
 * typescript and the @types by walking up to the repo's node_modules (no network), while
 * `expect-gradcheck` itself resolves from each project's own node_modules (the installed tarball).
 * Set KEEP_CONSUMER_TMP=1 to keep the projects for inspection.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, test } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repoRoot, 'test', 'consumer', 'fixtures');
const bin = {
  vitest: join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
  jest: join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
  tsc: join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
};

interface RunResult {
  code: number | null;
  /** stdout then stderr, without colour codes (runners split their report across both). */
  output: string;
  stdout: string;
}

/**
 * The parent's environment minus what would leak into the children: Vitest's own variables (a
 * nested Vitest would think it is a worker) and npm's (npm_config_local_prefix would point a
 * child `npm install` at the repo). Colours off, so the output is plain text.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|__VITEST|JEST_|npm_)/i.test(key) || key === 'TEST' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' };
}

function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: childEnv(), maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, output: stripVTControlCharacters(`${stdout}\n${stderr}`) });
    });
  });
}

/** Runs a command that must succeed, else fails with everything it printed. */
async function mustRun(command: string, args: string[], cwd: string): Promise<RunResult> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code} in ${cwd}:\n${result.output}`);
  return result;
}

function node(args: string[], cwd: string): Promise<RunResult> {
  return run(process.execPath, args, cwd);
}

/** Copies fixtures into a project, renaming `*.fixture.*` so the repo's own runners never pick them up. */
function copyFixtures(project: string, files: Record<string, string>): void {
  for (const [from, to] of Object.entries(files)) cpSync(join(fixtures, from), join(project, to));
}

let workDir = '';
let tarball = '';
let packedFiles: string[] = [];
let vitestProject = '';
let jestProject = '';

beforeAll(async () => {
  await mustRun('npm', ['run', 'build'], repoRoot);

  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'consumer-'));
  const pack = await mustRun('npm', ['pack', '--json', '--pack-destination', workDir], repoRoot);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(workDir, packed.filename);
  packedFiles = packed.files.map((file) => file.path);

  vitestProject = join(workDir, 'vitest-project');
  jestProject = join(workDir, 'jest-project');
  for (const [project, type] of [
    [vitestProject, 'module'],
    [jestProject, 'commonjs'],
  ]) {
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `consumer-${type}`, private: true, type }, null, 2)}\n`);
    // The typed consumers use the zoo's own layer; plain-JS Jest gets its CommonJS twin.
    cpSync(join(repoRoot, 'test', 'zoo', 'protocol', 'weight-scale.ts'), join(project, 'scale-layer.ts'));
    copyFixtures(project, {
      'shared/scale-layer.cjs': 'scale-layer.cjs',
      'shared/root-entry.cjs': 'root-entry.cjs',
      'shared/root-entry.mjs': 'root-entry.mjs',
    });
  }
  copyFixtures(vitestProject, {
    'vitest/vitest.config.mjs': 'vitest.config.mjs',
    'vitest/tsconfig.json': 'tsconfig.json',
    'vitest/gradients.fixture.ts': 'gradients.test.ts',
    'vitest/types.fixture.ts': 'types-check.ts',
  });
  copyFixtures(jestProject, {
    'jest/jest.config.cjs': 'jest.config.cjs',
    'jest/tsconfig.json': 'tsconfig.json',
    'jest/tsconfig.globals-node16.json': 'tsconfig.globals-node16.json',
    'jest/gradients.fixture.cjs': 'gradients.test.js',
    'jest/types-global.fixture.ts': 'types-global.ts',
    'jest/types-globals-import.fixture.ts': 'types-globals-import.ts',
  });

  // Zero runtime dependencies, so an offline install of the tarball needs nothing from a registry.
  const install = ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball];
  await Promise.all([mustRun('npm', install, vitestProject), mustRun('npm', install, jestProject)]);
}, 120_000);

afterAll(() => {
  if (workDir === '' || process.env.KEEP_CONSUMER_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tools may keep things there
  } catch {
    // not empty, or already gone
  }
});

describe.concurrent('the packed package in fresh consumer projects', () => {
  test('the tarball holds every file package.json points to, and nothing outside dist/ but the legacy stubs', ({ expect }) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      main: string;
      module: string;
      types: string;
      exports: Record<string, unknown>;
    };
    const targets = new Set<string>([manifest.main, manifest.module, manifest.types]);
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.add(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    for (const target of targets) expect(packedFiles).toContain(target.replace(/^\.\//, ''));
    // Besides dist/: the directory stubs that resolvers ignoring `exports` (Jest < 28, node10) find.
    const stubs = ['jest/package.json', 'jest-globals/package.json', 'vitest/package.json', 'vitest-5/package.json'];
    expect(packedFiles.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', ...stubs].includes(path))).toEqual([]);
    for (const stub of stubs) expect(packedFiles).toContain(stub);
  });

  test('require() gives the CJS build and import the ESM build, both exporting a working checkGradients', async ({ expect }) => {
    const installed = join(jestProject, 'node_modules', 'expect-gradcheck', 'dist') + sep;
    const [cjs, esm] = await Promise.all([node(['root-entry.cjs'], jestProject), node(['root-entry.mjs'], jestProject)]);
    expect(cjs.code, cjs.output).toBe(0);
    expect(esm.code, esm.output).toBe(0);
    expect(JSON.parse(cjs.stdout)).toEqual({ resolved: `${installed}index.cjs`, checkGradients: 'function', correct: true, buggy: false });
    expect(JSON.parse(esm.stdout)).toEqual({
      resolved: `file://${installed}index.js`,
      checkGradients: 'function',
      correct: true,
      buggy: false,
    });
  });

  test("Vitest with setupFiles: ['expect-gradcheck/vitest'] passes the correct layer and fails the buggy one", async ({ expect }) => {
    const result = await node([bin.vitest, 'run', '--config', 'vitest.config.mjs'], vitestProject);
    const { output } = result;
    expect(result.code, output).toBe(1);
    expect(output).toMatch(/Tests\s+2 failed \| 2 passed \(4\)/);
    expect(output).toMatch(/✓ an async layer gets an awaited matcher/);
    expect(output).toContain('FAIL  gradients.test.ts > an async layer with a doubled weight gradient fails');
    expect(output).toMatch(/✓ a correct layer passes/);
    expect(output).toMatch(/× a layer with a doubled weight gradient fails/);
    expect(output).toContain('FAIL  gradients.test.ts > a layer with a doubled weight gradient fails');
    expect(output).toContain('Error: expect(layer).toHaveCorrectGradients()');
    expect(output).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
    expect(output).toContain('Worst entries:');
    expect(output).toMatch(/^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m);
    // Vitest draws this diff itself from the matcher's `actual`/`expected`.
    expect(output).toMatch(/^- Expected$/m);
    expect(output).toMatch(/^\+ Received$/m);
    expect(output).toMatch(/^-\s+w\[1\]: -1\.89/m);
    expect(output).toMatch(/^\+\s+w\[1\]: -3\.78/m);
  });

  test("Jest with setupFilesAfterEnv: ['expect-gradcheck/jest'] passes the correct layer and fails the buggy one", async ({ expect }) => {
    const result = await node([bin.jest, '--config', 'jest.config.cjs'], jestProject);
    const { output } = result;
    expect(result.code, output).toBe(1);
    expect(output).toMatch(/Tests:\s+2 failed, 2 passed, 4 total/);
    expect(output).toMatch(/✓ an async layer gets an awaited matcher/);
    expect(output).toContain('● an async layer with a doubled weight gradient fails');
    expect(output).toMatch(/✓ a correct layer passes/);
    expect(output).toMatch(/✕ a layer with a doubled weight gradient fails/);
    expect(output).toContain('● a layer with a doubled weight gradient fails');
    expect(output).toMatch(/^\s+expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
    expect(output).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
    expect(output).toContain('Worst entries:');
    expect(output).toMatch(/^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m);
    // Jest draws no diff for custom matchers: this one comes from the message of the jest entry.
    expect(output).toMatch(/^\s+- Numeric \(finite differences\)$/m);
    expect(output).toMatch(/^\s+\+ Analytic \(backward\)$/m);
    expect(output).toMatch(/^\s+-\s+w\[1\]: -1\.89/m);
    expect(output).toMatch(/^\s+\+\s+w\[1\]: -3\.78/m);
  });

  // tsc passes only if every call marked @ts-expect-error is an error and every other call is not.
  // --listFiles proves the fixtures and the installed declarations were part of the program.
  test.for([
    ['Vitest (Bundler resolution)', () => vitestProject, 'tsconfig.json', ['types-check.ts', 'gradients.test.ts', 'expect-gradcheck/dist/vitest.d.ts']],
    [
      'Jest, @types/jest and @jest/globals (Node10 resolution, typesVersions)',
      () => jestProject,
      'tsconfig.json',
      ['types-global.ts', 'types-globals-import.ts', 'expect-gradcheck/dist/jest.d.cts'],
    ],
    [
      'Jest, @jest/globals only (Node16 resolution, require condition)',
      () => jestProject,
      'tsconfig.globals-node16.json',
      ['types-globals-import.ts', 'expect-gradcheck/dist/jest-globals.d.cts'],
    ],
  ] as const)('tsc --noEmit (strict) accepts correct calls and rejects wrong ones: %s', async ([, project, tsconfig, mustInclude], { expect }) => {
    const result = await node([bin.tsc, '-p', tsconfig, '--noEmit', '--listFiles'], project());
    expect(result.output).not.toContain('error TS');
    expect(result.code, result.output).toBe(0);
    const files = result.stdout.split('\n').map((line) => line.trim().replaceAll('\\', '/'));
    for (const file of mustInclude) expect(files.some((listed) => listed.endsWith(`/${file}`)), `${file} in the program`).toBe(true);
  });
});
