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
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  assertJestRun,
  assertReports,
  assertRootEntries,
  assertTypecheck,
  assertUnawaitedRun,
  assertVitestRun,
  configName,
  manifestTargets,
  MODE_OPTIONS,
  programFiles,
  writeProject,
} from './consumer-project.js';
import {
  buildAndPack,
  createQueue,
  installedVersion,
  mustRun,
  npmInstall,
  pnpmAdd,
  repoRoot,
  run,
  specVersion,
  startedNow,
  timerInto,
  typecheck,
  typescriptLibDir,
  type RunResult,
  type Tarball,
  type TypecheckReport,
} from './harness.js';
import { FULL_CHECK_MODE, NODE_22, PNPM, projects, type ProjectSpec, type ResolutionMode, type TypeFamily } from './matrix.js';

/** What each kind of run shows, for its test's title. */
const RUN_CHECKS = {
  gradients: 'a correct layer passes, a doubled weight gradient fails with its entries and a diff, .not and the asymmetric form pass, an async layer is awaited',
  unawaited: 'an async check without await fails its test, with the await to add, whether it settles before or after the test ends (and under .not); an awaited failing check fails with its report alone; awaited passing checks pass',
};

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

// ---------------------------------------------------------------------------------------------
// Which type checks each project runs.

/** A family checked with an old TypeScript is checked whole: its programs are small. */
const fullCheck = (family: TypeFamily, mode: ResolutionMode): boolean => mode === FULL_CHECK_MODE || family.ownTypescript === true;

function checksOf(spec: ProjectSpec): Array<{ config: string; scope: 'all' | 'own' }> {
  return spec.typeFamilies.flatMap((family) => [
    ...family.modes.map((mode) => ({ config: configName(family, mode), scope: fullCheck(family, mode) ? ('all' as const) : ('own' as const) })),
    ...(family.minimalTypes === undefined ? [] : [{ config: configName(family, 'minimal'), scope: 'all' as const }]),
  ]);
}

function installTestName(spec: ProjectSpec): string {
  const manager = spec.packageManager === 'pnpm' ? 'pnpm add -D' : 'npm install -D';
  return `${spec.title}: a plain \`${manager}\` of the tarball and ${spec.installs.join(', ')} installs exactly those`;
}

// ---------------------------------------------------------------------------------------------
// The background work.

const timed = timerInto(timings);

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
  writeProject(spec, project);

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
    typechecks.set(spec.dir, startedNow(ready.then(() => jobQueue(() => timed(`tsc ${spec.dir}`, () => typecheck(project, checksOf(spec), typescriptOf(spec, project)))))));
  }
}

/** The project's own TypeScript when its families ask for it (all or none of them), else the repo's. */
function typescriptOf(spec: ProjectSpec, project: string): string | undefined {
  const own = spec.typeFamilies.filter((family) => family.ownTypescript === true).length;
  if (own > 0 && own < spec.typeFamilies.length) throw new Error(`${spec.dir}: every type family or none must use the project's own TypeScript`);
  return own > 0 ? join(project, 'node_modules', 'typescript') : undefined;
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
// What a type check may find outside its project.

/**
 * Vite 7 (under Vitest 3.2) imports the types of its optional peer lightningcss under
 * `@ts-ignore`: in a user's project without it they are `any`; here tsc finds the repo's copy by
 * walking up. Harmless to the matcher's types, and the only outside files allowed.
 */
const OPTIONAL_PEER_TYPES_FOUND_OUTSIDE = /\/node_modules\/lightningcss\//;

/** Besides the project's own files, a program may hold only TypeScript's lib files and the optional peer types above. */
const allowedOutside = (path: string): boolean => path.startsWith(typescriptLibDir) || OPTIONAL_PEER_TYPES_FOUND_OUTSIDE.test(path);

// ---------------------------------------------------------------------------------------------

describe.concurrent('the packed package in fresh consumer projects', () => {
  test('the tarball holds every file package.json points to, and nothing outside dist/ but the legacy stubs', ({ expect }) => {
    for (const target of manifestTargets()) expect(tarball.files).toContain(target);
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
    const [cjs, esm] = await Promise.all([run(process.execPath, ['root-entry.cjs'], project), run(process.execPath, ['root-entry.mjs'], project)]);
    assertRootEntries(expect, project, cjs, esm);
  }, TEST_TIMEOUT);

  for (const spec of projects) {
    test(installTestName(spec), async ({ expect }) => {
      await installed.get(spec.dir);
      const project = projectDir(spec);
      expect(installedVersion(project, 'expect-gradcheck')).toBe(packageVersion);
      for (const [name, version] of spec.installs.map(specVersion)) expect(installedVersion(project, name), name).toBe(version);
    }, TEST_TIMEOUT);

    for (const [index, runSpec] of spec.runs.entries()) {
      test(`${spec.title}, ${runSpec.title}: ${RUN_CHECKS[runSpec.suite]}`, async ({ expect }) => {
        const result = await runResults.get(runKey(spec, index));
        if (result === undefined) throw new Error('the run was never started');
        const vitestVersion = runSpec.runner === 'vitest' ? installedVersion(projectDir(spec), 'vitest') : '';
        if (runSpec.suite === 'unawaited') assertUnawaitedRun(expect, result, runSpec.runner, Number.parseInt(vitestVersion, 10));
        else if (runSpec.runner === 'vitest') assertVitestRun(expect, result, runSpec.testFile ?? 'gradients.test.ts', vitestVersion);
        else assertJestRun(expect, result);
        if (runSpec.reportsDir !== undefined) assertReports(expect, join(projectDir(spec), runSpec.reportsDir));
      }, TEST_TIMEOUT);
    }

    for (const family of spec.typeFamilies) {
      for (const mode of family.modes) {
        const scope = fullCheck(family, mode) ? 'every declaration file checked' : 'the fixtures and expect-gradcheck’s declarations checked';
        const resolution = family.ownTypescript === true ? 'moduleResolution node (.ts)' : MODE_OPTIONS[mode].label;
        test(`${spec.title}, tsc (strict, skipLibCheck false, ${scope}), ${resolution}: ${family.title}`, async ({ expect }) => {
          const reports = await typechecks.get(spec.dir);
          const report = reports?.get(configName(family, mode));
          const wanted = family.ownTypescript === true ? installedVersion(projectDir(spec), 'typescript') : installedVersion(repoRoot, 'typescript');
          expect(report?.typescript, 'the TypeScript that checked it').toBe(wanted);
          assertTypecheck(expect, projectDir(spec), report, programFiles(family, mode), family.declaration, allowedOutside);
        }, TEST_TIMEOUT);
      }
      const minimal = family.minimalTypes;
      if (minimal !== undefined) {
        test(`${spec.title}, tsc (strict, skipLibCheck true), moduleResolution bundler: types ${JSON.stringify(minimal)} alone types the matcher`, async ({ expect }) => {
          const reports = await typechecks.get(spec.dir);
          assertTypecheck(expect, projectDir(spec), reports?.get(configName(family, 'minimal')), [`types-${family.slug}.ts`], family.declaration, allowedOutside);
        }, TEST_TIMEOUT);
      }
    }
  }
});
