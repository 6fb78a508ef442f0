/**
 * The packed package, checked on every `npm test` without the registry: build, `npm pack`, and the
 * tarball unpacked into two fresh projects under the repo's git-ignored `.tmp/` — matrix.ts's
 * Vitest 4 and Jest 30 projects — where the repo's own Vitest, Jest and TypeScript (the versions
 * of its lockfile) run them. Nothing is installed: Node, the runners and tsc find the runners by
 * walking up into the repo's node_modules, and expect-gradcheck in the project's node_modules.
 * Each project has a package.json of its own, so Node's package self-reference cannot reach the
 * repo's src/ or dist/; the tests check that every resolution of expect-gradcheck (Vitest's, Jest's,
 * Node's require and import, tsc's) landed on the unpacked copy.
 *
 * Every other runner version, resolution mode and package manager is `npm run test:matrix`
 * (packed-package.test.ts), which installs them from the registry. Set KEEP_CONSUMER_TMP=1 to keep
 * the projects for inspection.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { assertJestRun, assertRootEntries, assertTypecheck, assertVitestRun, configName, manifestTargets, programFiles, writeProject } from './consumer-project.js';
import {
  buildAndPack,
  createQueue,
  extractTarball,
  fixturesDir,
  installedVersion,
  isInside,
  repoRoot,
  run,
  specVersion,
  startedNow,
  typecheck,
  typescriptLibDir,
  type RunResult,
  type Tarball,
  writeFiles,
  type TypecheckReport,
} from './harness.js';
import { projects, type ProjectSpec, type RuntimeRun, type TypeFamily } from './matrix.js';

/** Each test awaits work queued behind the others' (a few seconds on 2 idle cores). */
const TEST_TIMEOUT = 120_000;
/** `npm run build` (tsup with declarations) and `npm pack`: about 8 s on 2 idle cores. */
const BUILD_TIMEOUT = 120_000;

const repoModules = join(repoRoot, 'node_modules');
const vitestBin = join(repoModules, 'vitest', 'vitest.mjs');
const jestBin = join(repoModules, 'jest', 'bin', 'jest.js');
const fileList = join(repoRoot, 'test', 'consumer', 'tarball-files.txt');

function matrixProject(dir: string): ProjectSpec {
  const spec = projects.find((project) => project.dir === dir);
  if (spec === undefined) throw new Error(`matrix.ts has no project ${dir}`);
  return spec;
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0];
}

const vitestSpec = matrixProject('vitest-4');
const jestSpec = matrixProject('jest-30');
/** The matcher's verdicts; unawaited checks are the matrix's (npm run test:matrix). */
const vitestRun: RuntimeRun = only(
  vitestSpec.runs.filter((runSpec) => runSpec.suite === 'gradients'),
  'gradients run in vitest-4',
);
/** The CommonJS run with the global expect and setupFilesAfterEnv: ['expect-gradcheck/jest']. */
const jestRun: RuntimeRun = only(
  jestSpec.runs.filter((runSpec) => runSpec.config === 'jest.config.js'),
  'jest.config.js run in jest-30',
);
const vitestTypes: TypeFamily = only(vitestSpec.typeFamilies, 'type family in vitest-4');
const jestTypes: TypeFamily = only(
  jestSpec.typeFamilies.filter((family) => family.slug === 'jest'),
  'global-expect type family in jest-30',
);

let workDir = '';
let tarball: Tarball = { path: '', files: [] };
let vitestProject = '';
let jestProject = '';
let vitestResult: Promise<RunResult>;
let jestResult: Promise<RunResult>;
let jestConfig: Promise<RunResult>;
let rootEntries: Promise<[RunResult, RunResult]>;
let typecheckReports: Promise<Map<string, TypecheckReport>>;

/**
 * The shared chunks' names end in a content hash (dist/chunk-G6CSLQS3.js, dist/types-BCv63CwU.d.ts)
 * that changes with every source edit; tarball-files.txt writes it [hash]. Files package.json names
 * are kept as they are.
 */
function withoutContentHash(path: string, named: Set<string>): string {
  if (!path.startsWith('dist/') || named.has(path)) return path;
  return path.replace(/-[A-Za-z0-9_-]{8}((?:\.d)?\.c?[jt]s)$/, '-[hash]$1');
}

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'smoke-'));
  tarball = await buildAndPack(workDir);
  vitestProject = join(workDir, vitestSpec.dir);
  jestProject = join(workDir, jestSpec.dir);
  writeProject(vitestSpec, vitestProject);
  writeProject(jestSpec, jestProject);
  writeFiles(vitestProject, { 'resolution.test.ts': readFileSync(join(fixturesDir, 'vitest', 'resolution.fixture.ts'), 'utf8') });
  await Promise.all([extractTarball(tarball.path, vitestProject), extractTarball(tarball.path, jestProject)]);

  // Two at a time for 2 cores, longest first. The two tsconfigs share one TypeScript process (and
  // its parsed @types/node); their paths are relative to the work dir it runs in.
  const jobs = createQueue(2);
  typecheckReports = startedNow(
    jobs(() =>
      typecheck(workDir, [
        { config: `${vitestSpec.dir}/${configName(vitestTypes, 'bundler')}`, scope: 'own' },
        { config: `${jestSpec.dir}/${configName(jestTypes, 'bundler')}`, scope: 'own' },
      ]),
    ),
  );
  vitestResult = startedNow(jobs(() => run(process.execPath, [vitestBin, 'run', '--config', vitestRun.config], vitestProject, vitestRun.env)));
  jestResult = startedNow(jobs(() => run(process.execPath, [jestBin, '--config', jestRun.config], jestProject, jestRun.env)));
  // The setup file Jest's own resolver chose, as Jest will load it.
  jestConfig = startedNow(jobs(() => run(process.execPath, [jestBin, '--config', jestRun.config, '--showConfig'], jestProject, jestRun.env)));
  rootEntries = startedNow(jobs(() => Promise.all([run(process.execPath, ['root-entry.cjs'], jestProject), run(process.execPath, ['root-entry.mjs'], jestProject)])));
}, BUILD_TIMEOUT);

afterAll(async () => {
  if (workDir === '') return;
  // Let the child processes end before their directories go (a failed test may not have awaited them).
  await Promise.allSettled([vitestResult, jestResult, jestConfig, rootEntries, typecheckReports]);
  if (process.env.KEEP_CONSUMER_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tools may keep things there
  } catch {
    // not empty, or already gone
  }
}, TEST_TIMEOUT);

describe.concurrent('the packed package, unpacked into fresh projects and run with the repo’s own runners (no registry)', () => {
  test('the tarball holds exactly the files listed in test/consumer/tarball-files.txt', ({ expect }) => {
    const named = manifestTargets();
    const packed = tarball.files.map((path) => withoutContentHash(path, named)).sort();
    const listed = readFileSync(fileList, 'utf8').split('\n').filter((line) => line !== '').sort();
    expect(packed, 'the packed files (content hashes as [hash]); if the change is meant, update tarball-files.txt from `npm pack --dry-run --json`').toEqual(listed);
  });

  test(`the projects are matrix.ts's ${vitestSpec.dir} and ${jestSpec.dir}, and the repo has exactly the versions they install`, ({ expect }) => {
    for (const spec of [vitestSpec, jestSpec]) {
      for (const [name, version] of spec.installs.map(specVersion)) expect(installedVersion(repoRoot, name), `${spec.dir}: ${name}`).toBe(version);
    }
  });

  test(`${vitestSpec.title}, ${vitestRun.title}: a correct layer passes, a doubled weight gradient fails naming w[1] with its diff, .not and the asymmetric form pass, an async layer is awaited; the package resolves to the unpacked copy`, async ({
    expect,
  }) => {
    const result = await vitestResult;
    // resolution.test.ts passes: the one test beside the fixture's four passing and two failing.
    assertVitestRun(expect, result, vitestRun.testFile ?? 'gradients.test.ts', installedVersion(repoRoot, 'vitest'), 1);
    expect(result.output).toMatch(/✓ resolution\.test\.ts \(1 test\)/);
  }, TEST_TIMEOUT);

  test(`${jestSpec.title}, ${jestRun.title}: a correct layer passes, a doubled weight gradient fails naming w[1] with its diff, .not and the asymmetric form pass, an async layer is awaited`, async ({
    expect,
  }) => {
    assertJestRun(expect, await jestResult);
  }, TEST_TIMEOUT);

  test("Jest's resolver takes setupFilesAfterEnv: ['expect-gradcheck/jest'] from the unpacked copy", async ({ expect }) => {
    const result = await jestConfig;
    expect(result.code, result.output).toBe(0);
    const shown = JSON.parse(result.stdout) as { configs: Array<{ setupFilesAfterEnv: string[] }> };
    expect(shown.configs.map((config) => config.setupFilesAfterEnv)).toEqual([[join(jestProject, 'node_modules', 'expect-gradcheck', 'dist', 'jest.cjs')]]);
  }, TEST_TIMEOUT);

  test('require() gives the CJS build and import the ESM build of the unpacked copy, both exporting a working checkGradients', async ({ expect }) => {
    const [cjs, esm] = await rootEntries;
    assertRootEntries(expect, jestProject, cjs, esm);
  }, TEST_TIMEOUT);

  for (const [spec, family] of [
    [vitestSpec, vitestTypes],
    [jestSpec, jestTypes],
  ] as const) {
    test(`${spec.title}, tsc ${installedVersion(repoRoot, 'typescript')} (strict, skipLibCheck false, the fixtures and expect-gradcheck’s declarations checked), moduleResolution bundler: ${family.title}`, async ({
      expect,
    }) => {
      const reports = await typecheckReports;
      const project = join(workDir, spec.dir);
      // The runner's and Node's types come from the repo's node_modules (nothing is installed in
      // the project); expect-gradcheck's only from the project, which allowedOutside leaves out.
      const allowedOutside = (path: string): boolean =>
        path.startsWith(typescriptLibDir) || (isInside(repoModules, path) && !path.includes('/node_modules/expect-gradcheck/'));
      assertTypecheck(expect, project, reports.get(`${spec.dir}/${configName(family, 'bundler')}`), programFiles(family, 'bundler'), family.declaration, allowedOutside);
    }, TEST_TIMEOUT);
  }
});
