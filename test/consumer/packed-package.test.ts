/**
 * End-to-end test of the published package against every runner it supports: build, `npm pack`,
 * then for each entry of matrix.ts a fresh project under the repo's git-ignored `.tmp/` with the
 * tarball and that runner installed by a plain `npm install` (or pnpm), where real Vitest, Jest,
 * tsc and Node run and their output is asserted on.
 *
 * The work starts in beforeAll and runs in the background (installs four at a time, runner and
 * tsc jobs two at a time, for 2 cores); each test awaits its own part, so a failing install fails
 * only the tests of its project, with npm's output. The projects sit inside the repo, where Node
 * and tsc would find anything a project lacks by walking up to the repo's node_modules: each test
 * checks that the runner, the package and every declaration file came from the project itself.
 * Set KEEP_CONSUMER_TMP=1 to keep the projects (and a summary.json of timings) for inspection.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, test, type ExpectStatic } from 'vitest';
import {
  buildAndPack,
  createQueue,
  formatDiagnostic,
  installedVersion,
  isInside,
  mustRun,
  npmInstall,
  pnpmAdd,
  relativeTo,
  repoRoot,
  run,
  startedNow,
  typecheck,
  typescriptLibDir,
  writeFiles,
  fixturesDir,
  type RunResult,
  type Tarball,
  type TypecheckReport,
} from './harness.js';
import { FULL_CHECK_MODE, NODE_22, PNPM, projects, type ProjectSpec, type ResolutionMode, type TypeFamily } from './matrix.js';

/** Each test awaits work queued behind the others: long, but bounded. */
const TEST_TIMEOUT = 600_000;
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const installQueue = createQueue(4);
const jobQueue = createQueue(2);

let workDir = '';
let tarball: Tarball = { path: '', files: [] };
let node22: Promise<string>;
let pnpm: Promise<string>;
const installed = new Map<string, Promise<RunResult>>();
const runResults = new Map<string, Promise<RunResult>>();
const runKey = (spec: ProjectSpec, index: number): string => `${spec.dir}#${index}`;
const typechecks = new Map<string, Promise<Map<string, TypecheckReport>>>();
const timings: Record<string, number> = {};

const projectDir = (spec: ProjectSpec): string => join(workDir, spec.dir);
const specVersion = (spec: string): [string, string] => {
  const at = spec.lastIndexOf('@');
  return [spec.slice(0, at), spec.slice(at + 1)];
};

// ---------------------------------------------------------------------------------------------
// Type-check files: the fixture in each module format, a tsconfig per mode.

const MODE_OPTIONS: Record<ResolutionMode, { module: string; moduleResolution: string; label: string }> = {
  bundler: { module: 'ESNext', moduleResolution: 'Bundler', label: 'moduleResolution bundler (.ts)' },
  node16: { module: 'Node16', moduleResolution: 'Node16', label: 'moduleResolution node16 (ESM .mts and CommonJS .cts)' },
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext', label: 'moduleResolution nodenext (ESM .mts and CommonJS .cts)' },
  node10: { module: 'CommonJS', moduleResolution: 'Node10', label: 'moduleResolution node10 (.ts)' },
};

const configName = (family: TypeFamily, mode: ResolutionMode | 'minimal'): string => `tsconfig.${family.slug}.${mode}.json`;

function programFiles(family: TypeFamily, mode: ResolutionMode): string[] {
  if (mode === 'bundler') return [`types-${family.slug}.ts`, ...(family.bundlerAlsoChecks ?? [])];
  if (mode === 'node10') return [`types-${family.slug}.ts`];
  return [`types-${family.slug}.mts`, `types-${family.slug}.cts`];
}

function tsconfig(types: string[], mode: ResolutionMode, files: string[], skipLibCheck = false): string {
  const { module, moduleResolution } = MODE_OPTIONS[mode];
  const compilerOptions = { target: 'ES2022', module, moduleResolution, lib: ['ES2022'], types, strict: true, skipLibCheck, noEmit: true };
  return `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
}

function typeCheckFiles(family: TypeFamily): Record<string, string> {
  const source = readFileSync(join(fixturesDir, 'types', 'matcher-calls.fixture.ts'), 'utf8')
    .replace('// <expect import>', family.expectImport)
    .replace('// <runner-only calls>', family.runnerOnlyCalls);
  const files: Record<string, string> = {};
  for (const extension of ['ts', 'mts', 'cts']) files[`types-${family.slug}.${extension}`] = source;
  for (const mode of family.modes) files[configName(family, mode)] = tsconfig(family.types, mode, programFiles(family, mode));
  if (family.minimalTypes !== undefined) files[configName(family, 'minimal')] = tsconfig(family.minimalTypes, 'bundler', [`types-${family.slug}.ts`], true);
  return files;
}

function checksOf(spec: ProjectSpec): Array<{ config: string; scope: 'all' | 'own' }> {
  return spec.typeFamilies.flatMap((family) => [
    ...family.modes.map((mode) => ({ config: configName(family, mode), scope: mode === FULL_CHECK_MODE ? ('all' as const) : ('own' as const) })),
    ...(family.minimalTypes === undefined ? [] : [{ config: configName(family, 'minimal'), scope: 'all' as const }]),
  ]);
}

function installTestName(spec: ProjectSpec): string {
  const manager = spec.packageManager === 'pnpm' ? 'pnpm add -D' : 'npm install -D';
  return `${spec.title}: a plain \`${manager}\` of the tarball and ${spec.installs.join(', ')} installs exactly those`;
}

// ---------------------------------------------------------------------------------------------
// The background work.

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - started) / 1000;
  }
}

/** A tool from the registry, in its own project: its path once it answers `--version` with `version`. */
async function installTool(dir: string, spec: string, binary: string, options: { scripts: boolean; runWithNode: boolean }): Promise<string> {
  const tool = join(workDir, 'tools', dir);
  mkdirSync(tool, { recursive: true });
  writeFileSync(join(tool, 'package.json'), `${JSON.stringify({ name: `tool-${dir}`, private: true }, null, 2)}\n`);
  await installQueue(() => timed(`install ${spec}`, () => npmInstall(tool, [spec], { scripts: options.scripts })));
  const path = join(tool, 'node_modules', ...binary.split('/'));
  const [command, args] = options.runWithNode ? [process.execPath, [path, '--version']] : [path, ['--version']];
  const version = (await mustRun(command, args, tool)).stdout.trim();
  if (version.replace(/^v/, '') !== specVersion(spec)[1]) throw new Error(`${path} --version printed ${version}, not ${specVersion(spec)[1]}`);
  return path;
}

function startProject(spec: ProjectSpec): void {
  const project = projectDir(spec);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `consumer-${spec.dir.replace('.', '-')}`, private: true, type: spec.packageType }, null, 2)}\n`);
  writeFiles(project, spec.files());
  for (const family of spec.typeFamilies) writeFiles(project, typeCheckFiles(family));

  const specs = [tarball.path, ...spec.installs];
  const install = startedNow(
    (async () => {
      const pnpmBinary = spec.packageManager === 'pnpm' ? await pnpm : '';
      return installQueue(() =>
        timed(`install ${spec.dir}`, () => (spec.packageManager === 'pnpm' ? pnpmAdd(pnpmBinary, project, specs) : npmInstall(project, specs))),
      );
    })(),
  );
  installed.set(spec.dir, install);
  // The project's other tests point at its install test, which shows npm's (or pnpm's) output.
  const ready = startedNow(
    install.then(
      () => undefined,
      () => {
        throw new Error(`${spec.title} did not install: its test "${installTestName(spec)}" shows the output`);
      },
    ),
  );

  for (const [index, runSpec] of spec.runs.entries()) {
    runResults.set(
      runKey(spec, index),
      startedNow(
        ready.then(async () => {
          const node = runSpec.node22 === true ? await node22ForVitest5() : process.execPath;
          const bin = runSpec.runner === 'vitest' ? ['node_modules/vitest/vitest.mjs', 'run', '--config', runSpec.config] : ['node_modules/jest/bin/jest.js', '--config', runSpec.config];
          return jobQueue(() => timed(`run ${spec.dir} ${runSpec.config}`, () => run(node, bin, project, runSpec.env)));
        }),
      ),
    );
  }

  if (spec.typeFamilies.length > 0) {
    typechecks.set(spec.dir, startedNow(ready.then(() => jobQueue(() => timed(`tsc ${spec.dir}`, () => typecheck(project, checksOf(spec)))))));
  }
}

async function node22ForVitest5(): Promise<string> {
  try {
    return await node22;
  } catch (error) {
    throw new Error(
      `Vitest 5 needs Node >= 22.12 and this is Node ${process.version}; Node 22 could not be obtained from the registry's ${NODE_22} package, so Vitest 5 did not run:\n${String(error)}`,
    );
  }
}

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'consumer-'));
  // The tools do not need the tarball: fetch them while the package builds.
  node22 = startedNow(installTool('node-22', NODE_22, 'node/bin/node', { scripts: true, runWithNode: false }));
  pnpm = startedNow(installTool('pnpm', PNPM, 'pnpm/bin/pnpm.mjs', { scripts: false, runWithNode: true }));
  tarball = await timed('build and pack', () => buildAndPack(workDir));
  for (const spec of projects) startProject(spec);
}, 180_000);

afterAll(async () => {
  if (workDir === '') return;
  // Let the background work end before its directories go (a failed test may not have awaited it).
  await Promise.allSettled([node22, pnpm, ...installed.values(), ...runResults.values(), ...typechecks.values()]);
  if (process.env.KEEP_CONSUMER_TMP === '1') {
    writeFileSync(join(workDir, 'summary.json'), `${JSON.stringify(timings, null, 2)}\n`);
    return;
  }
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tools may keep things there
  } catch {
    // not empty, or already gone
  }
}, TEST_TIMEOUT);

// ---------------------------------------------------------------------------------------------
// What every runner run must show.

function assertVitestRun(expect: ExpectStatic, result: RunResult, testFile: string, version: string): void {
  const { output } = result;
  expect(output, 'the project’s own Vitest ran').toContain(`RUN  v${version} `);
  expect(result.code, output).toBe(1);
  expect(output).toMatch(/Tests\s+2 failed \| 4 passed \(6\)/);
  expect(output).toMatch(/✓ a correct layer passes/);
  expect(output).toMatch(/✓ a library layer: a registered Matrix/);
  expect(output).toMatch(/✓ an async layer gets an awaited matcher/);
  expect(output).toMatch(/✓ the asymmetric form matches inside an equality/);
  expect(output).toMatch(/× a layer with a doubled weight gradient fails/);
  expect(output).toContain(`FAIL  ${testFile} > a layer with a doubled weight gradient fails`);
  expect(output).toContain(`FAIL  ${testFile} > an async layer with a doubled weight gradient fails`);
  expect(output).toContain('Error: expect(layer).toHaveCorrectGradients()');
  expect(output).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
  expect(output).toContain('Worst entries:');
  expect(output).toMatch(/^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m);
  // Vitest draws this diff itself from the matcher's `actual`/`expected`: once per failing test.
  // The entry's line: `w[1]: -1.89…`, `"w[1]": -1.89…` or `"w[1]" => -1.89…`, as the diff's shape allows.
  expect(output.match(/^- Expected$/gm)).toHaveLength(2);
  expect(output.match(/^\+ Received$/gm)).toHaveLength(2);
  expect(output.match(/^-\s+"?w\[1\]"?(:| =>) -1\.89/gm)).toHaveLength(2);
  expect(output.match(/^\+\s+"?w\[1\]"?(:| =>) -3\.78/gm)).toHaveLength(2);
}

function assertJestRun(expect: ExpectStatic, result: RunResult): void {
  const { output } = result;
  expect(result.code, output).toBe(1);
  expect(output).toMatch(/Tests:\s+2 failed, 3 passed, 5 total/);
  expect(output).toMatch(/✓ a correct layer passes/);
  expect(output).toMatch(/✓ an async layer gets an awaited matcher/);
  expect(output).toMatch(/✓ the asymmetric form matches inside an equality/);
  expect(output).toMatch(/✕ a layer with a doubled weight gradient fails/);
  expect(output).toContain('● a layer with a doubled weight gradient fails');
  expect(output).toContain('● an async layer with a doubled weight gradient fails');
  expect(output).toMatch(/^\s+expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
  expect(output).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
  expect(output).toContain('Worst entries:');
  expect(output).toMatch(/^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m);
  // Jest draws no diff for custom matchers: this one is in the jest entries' message, once per failing test.
  expect(output.match(/^\s+- Numeric \(finite differences\)$/gm)).toHaveLength(2);
  expect(output.match(/^\s+\+ Analytic \(backward\)$/gm)).toHaveLength(2);
  expect(output.match(/^\s+-\s+"?w\[1\]"?(:| =>) -1\.89/gm)).toHaveLength(2);
  expect(output.match(/^\s+\+\s+"?w\[1\]"?(:| =>) -3\.78/gm)).toHaveLength(2);
}

/**
 * tsc passes only if every line under an expect-error directive is an error and every other line
 * is not, and the runner's own declarations (checked in FULL_CHECK_MODE) have no error either. The
 * program must hold the fixtures and the installed declaration, and nothing from outside the project.
 */
function assertTypecheck(expect: ExpectStatic, spec: ProjectSpec, report: TypecheckReport | undefined, files: string[], declaration: RegExp): void {
  const project = projectDir(spec);
  expect(report, 'a report for this config').toBeDefined();
  if (report?.error !== undefined) throw new Error(report.error);
  // First, as a file found outside explains any error after it.
  const listed = (report?.files ?? []).map((file) => file.replaceAll('\\', '/'));
  const outside = listed.filter((path) => !isInside(project, path) && !path.startsWith(typescriptLibDir) && !OPTIONAL_PEER_TYPES_FOUND_OUTSIDE.test(path));
  expect(outside, 'files from outside the project (found by walking up to the repo’s node_modules)').toEqual([]);

  const diagnostics = report?.diagnostics ?? [];
  const ours = diagnostics.filter((d) => d.file === null || !d.file.includes('/node_modules/') || d.file.includes('/node_modules/expect-gradcheck/'));
  const theirs = diagnostics.filter((d) => !ours.includes(d));
  expect(ours.map((d) => formatDiagnostic(project, d)), 'errors in the fixtures or in expect-gradcheck’s declarations').toEqual([]);
  expect(theirs.map((d) => formatDiagnostic(project, d)), 'errors in the runner’s own declarations (with this package installed)').toEqual([]);

  for (const file of files) expect(listed.map((path) => relativeTo(project, path)), `${file} in the program`).toContain(file);
  expect(listed.filter((path) => declaration.test(path)).map((path) => relativeTo(project, path)), `${declaration} in the program`).toHaveLength(1);
  const checked = report?.checked;
  if (Array.isArray(checked)) {
    const paths = checked.map((path) => path.replaceAll('\\', '/'));
    for (const file of files) expect(paths.map((path) => relativeTo(project, path)), `${file} checked`).toContain(file);
    expect(paths.filter((path) => declaration.test(path)), `${declaration} checked`).toHaveLength(1);
  }
}

/**
 * Vite 7 (under Vitest 3.2) imports the types of its optional peer lightningcss under
 * `@ts-ignore`: in a user's project without it they are `any`; here tsc finds the repo's copy by
 * walking up. Harmless to the matcher's types, and the only outside files allowed.
 */
const OPTIONAL_PEER_TYPES_FOUND_OUTSIDE = /\/node_modules\/lightningcss\//;

// ---------------------------------------------------------------------------------------------

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
    for (const target of targets) expect(tarball.files).toContain(target.replace(/^\.\//, ''));
    // Besides dist/: the directory stubs that resolvers ignoring `exports` (Jest < 28, node10) find.
    const stubs = ['jest/package.json', 'jest-globals/package.json', 'vitest/package.json', 'vitest-5/package.json'];
    expect(tarball.files.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', ...stubs].includes(path))).toEqual([]);
    for (const stub of stubs) expect(tarball.files).toContain(stub);
  });

  test(`Node 22 for Vitest 5 (which needs Node >= 22.12) installs from the registry's ${NODE_22} package`, async ({ expect }) => {
    const binary = await node22;
    expect(execFileSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()).toBe(specVersion(NODE_22)[1]);
  }, TEST_TIMEOUT);

  test(`${PNPM} installs from the registry and runs`, async ({ expect }) => {
    expect(await pnpm).toMatch(/pnpm\.mjs$/);
  }, TEST_TIMEOUT);

  test('require() gives the CJS build and import the ESM build, both exporting a working checkGradients', async ({ expect }) => {
    await installed.get('jest-30');
    const project = join(workDir, 'jest-30');
    const dist = join(project, 'node_modules', 'expect-gradcheck', 'dist') + sep;
    const [cjs, esm] = await Promise.all([run(process.execPath, ['root-entry.cjs'], project), run(process.execPath, ['root-entry.mjs'], project)]);
    expect(cjs.code, cjs.output).toBe(0);
    expect(esm.code, esm.output).toBe(0);
    expect(JSON.parse(cjs.stdout)).toEqual({ resolved: `${dist}index.cjs`, checkGradients: 'function', correct: true, buggy: false });
    expect(JSON.parse(esm.stdout)).toEqual({ resolved: `file://${dist}index.js`, checkGradients: 'function', correct: true, buggy: false });
  }, TEST_TIMEOUT);

  for (const spec of projects) {
    test(installTestName(spec), async ({ expect }) => {
      await installed.get(spec.dir);
      const project = projectDir(spec);
      expect(installedVersion(project, 'expect-gradcheck')).toBe(packageVersion);
      for (const [name, version] of spec.installs.map(specVersion)) expect(installedVersion(project, name), name).toBe(version);
    }, TEST_TIMEOUT);

    for (const [index, runSpec] of spec.runs.entries()) {
      test(`${spec.title}, ${runSpec.title}: a correct layer passes, a doubled weight gradient fails with its entries and a diff, .not and the asymmetric form pass, an async layer is awaited`, async ({
        expect,
      }) => {
        const result = await runResults.get(runKey(spec, index));
        if (result === undefined) throw new Error('the run was never started');
        if (runSpec.runner === 'vitest') assertVitestRun(expect, result, runSpec.testFile ?? 'gradients.test.ts', installedVersion(projectDir(spec), 'vitest'));
        else assertJestRun(expect, result);
      }, TEST_TIMEOUT);
    }

    for (const family of spec.typeFamilies) {
      for (const mode of family.modes) {
        const scope = mode === FULL_CHECK_MODE ? 'every declaration file checked' : 'the fixtures and expect-gradcheck’s declarations checked';
        test(`${spec.title}, tsc (strict, skipLibCheck false, ${scope}), ${MODE_OPTIONS[mode].label}: ${family.title}`, async ({ expect }) => {
          const reports = await typechecks.get(spec.dir);
          assertTypecheck(expect, spec, reports?.get(configName(family, mode)), programFiles(family, mode), family.declaration);
        }, TEST_TIMEOUT);
      }
      const minimal = family.minimalTypes;
      if (minimal !== undefined) {
        test(`${spec.title}, tsc (strict, skipLibCheck true), moduleResolution bundler: types ${JSON.stringify(minimal)} alone types the matcher`, async ({ expect }) => {
          const reports = await typechecks.get(spec.dir);
          assertTypecheck(expect, spec, reports?.get(configName(family, 'minimal')), [`types-${family.slug}.ts`], family.declaration);
        }, TEST_TIMEOUT);
      }
    }
  }
});
