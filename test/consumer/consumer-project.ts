/**
 * What a consumer project's files are made of and what its runs must print, shared by the version
 * matrix (packed-package.test.ts, `npm run test:matrix`) and the smoke test (smoke.test.ts, `npm
 * test`), so both write the same projects from matrix.ts and judge them by the same assertions.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectStatic } from 'vitest';
import { fixturesDir, formatDiagnostic, isInside, relativeTo, repoRoot, writeFiles, type RunResult, type TypecheckReport } from './harness.js';
import type { ProjectSpec, ResolutionMode, TypeFamily } from './matrix.js';

/** Every file package.json points to (main, module, types, every exports target), as tarball paths (`dist/index.js`). */
export function manifestTargets(): Set<string> {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string; module: string; types: string; exports: unknown };
  const targets = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([manifest.main, manifest.module, manifest.types, manifest.exports]);
  return targets;
}

// ---------------------------------------------------------------------------------------------
// A project's files: package.json, the spec's own files, and the type-check files.

/** A project as matrix.ts describes it, in `project` (which must not exist yet); nothing installed. */
export function writeProject(spec: ProjectSpec, project: string): void {
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `consumer-${spec.dir.replace('.', '-')}`, private: true, type: spec.packageType }, null, 2)}\n`);
  writeFiles(project, spec.files());
  for (const family of spec.typeFamilies) writeFiles(project, typeCheckFiles(family));
}

/** The fixture in each module format, a tsconfig per mode. */

export const MODE_OPTIONS: Record<ResolutionMode, { module: string; moduleResolution: string; label: string }> = {
  bundler: { module: 'ESNext', moduleResolution: 'Bundler', label: 'moduleResolution bundler (.ts)' },
  node16: { module: 'Node16', moduleResolution: 'Node16', label: 'moduleResolution node16 (ESM .mts and CommonJS .cts)' },
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext', label: 'moduleResolution nodenext (ESM .mts and CommonJS .cts)' },
  node10: { module: 'CommonJS', moduleResolution: 'Node10', label: 'moduleResolution node10 (.ts)' },
};

export const configName = (family: TypeFamily, mode: ResolutionMode | 'minimal'): string => `tsconfig.${family.slug}.${mode}.json`;

export function programFiles(family: TypeFamily, mode: ResolutionMode): string[] {
  if (mode === 'bundler') return [`types-${family.slug}.ts`, ...(family.bundlerAlsoChecks ?? [])];
  if (mode === 'node10') return [`types-${family.slug}.ts`];
  return [`types-${family.slug}.mts`, `types-${family.slug}.cts`];
}

function tsconfig(types: string[], mode: ResolutionMode, files: string[], skipLibCheck = false): string {
  const { module, moduleResolution } = MODE_OPTIONS[mode];
  const compilerOptions = { target: 'ES2022', module, moduleResolution, lib: ['ES2022'], types, strict: true, skipLibCheck, noEmit: true };
  return `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
}

/** node10 resolution as TypeScript 4.0 spells it, with the newest target it knows. */
function legacyTsconfig(types: string[], files: string[]): string {
  const compilerOptions = { target: 'ES2019', module: 'CommonJS', moduleResolution: 'node', lib: ['ES2019'], types, strict: true, skipLibCheck: false, noEmit: true };
  return `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
}

/** The fixture as types-<slug>.ts, .mts and .cts, and a tsconfig for each of the family's modes (and its minimal one). */
export function typeCheckFiles(family: TypeFamily): Record<string, string> {
  const source = readFileSync(join(fixturesDir, 'types', 'matcher-calls.fixture.ts'), 'utf8')
    .replace('// <expect import>', family.expectImport)
    .replace('// <runner-only calls>', family.runnerOnlyCalls);
  const files: Record<string, string> = {};
  for (const extension of ['ts', 'mts', 'cts']) files[`types-${family.slug}.${extension}`] = source;
  for (const mode of family.modes) {
    files[configName(family, mode)] = family.ownTypescript === true ? legacyTsconfig(family.types, programFiles(family, mode)) : tsconfig(family.types, mode, programFiles(family, mode));
  }
  if (family.minimalTypes !== undefined) files[configName(family, 'minimal')] = tsconfig(family.minimalTypes, 'bundler', [`types-${family.slug}.ts`], true);
  return files;
}

// ---------------------------------------------------------------------------------------------
// What every runner run of the fixtures must show.

/**
 * A Vitest run of fixtures/vitest/gradients.fixture.ts: five tests pass and two fail on purpose.
 * `alsoPassed` counts passing tests of other files in the same run (the smoke test adds one).
 */
export function assertVitestRun(expect: ExpectStatic, result: RunResult, testFile: string, version: string, alsoPassed = 0): void {
  const { output } = result;
  const passed = 6 + alsoPassed;
  expect(output, 'the project’s own Vitest ran').toContain(`RUN  v${version} `);
  expect(result.code, output).toBe(1);
  expect(output).toMatch(new RegExp(`Tests\\s+2 failed \\| ${passed} passed \\(${passed + 2}\\)`));
  expect(output).toMatch(/✓ a correct layer passes/);
  expect(output).toMatch(/✓ a library layer: a registered Matrix/);
  expect(output).toMatch(/✓ an async layer gets an awaited matcher/);
  expect(output).toMatch(/✓ the asymmetric form matches inside an equality/);
  expect(output).toMatch(/✓ a Promise of a layer, through \.resolves, and expect\.poll/);
  expect(output).toMatch(/✓ a search across configurations/);
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

/** The checks fixtures/jest/gradients.fixture.js makes: 2 + 1 + 2 + 1 + 4 (.resolves) + 2 (asymmetric) + 3 searches. */
const GRADIENTS_FIXTURE_CHECKS = 15;

/**
 * The CI reports of a run of a gradients fixture: one JSON file per check, never two in one file;
 * the failing sync check's report names its test and file and holds its verdict.
 */
export function assertReports(expect: ExpectStatic, directory: string): void {
  const files = existsSync(directory) ? readdirSync(directory).filter((file) => file.endsWith('.json')) : [];
  const reports = files.map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as { test: string | null; file: string | null; verdict: string; kind?: string });
  expect(reports.length, `reports in ${directory}`).toBe(GRADIENTS_FIXTURE_CHECKS);
  const failing = reports.filter((report) => report.test === 'a layer with a doubled weight gradient fails');
  expect(failing.map((report) => report.verdict)).toEqual(['fail']);
  expect(failing[0].file).toMatch(/^reports\.test\.mjs$/);
  expect(reports.filter((report) => report.kind === 'across')).toHaveLength(3);
}

/** A Jest run of fixtures/jest/gradients.fixture.js: four tests pass and two fail on purpose. */
export function assertJestRun(expect: ExpectStatic, result: RunResult): void {
  const { output } = result;
  expect(result.code, output).toBe(1);
  expect(output).toMatch(/Tests:\s+2 failed, 5 passed, 7 total/);
  expect(output).toMatch(/✓ a search across configurations/);
  expect(output).toMatch(/✓ a Promise of a layer, through \.resolves/);
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

/** A failure report of a run: the tests it names (Vitest groups tests that failed alike) and its text. */
interface FailureBlock {
  tests: string[];
  text: string;
}

/**
 * The failure reports in a run's output: Vitest's, from ` FAIL  <file> > <test>` lines (in browser
 * mode ` FAIL  |chromium| <file> > <test>`) to its `⎯⎯[i/n]⎯` rule; Jest's, from `● <test>` to the next.
 */
export function failureBlocks(output: string, runner: 'vitest' | 'jest'): FailureBlock[] {
  if (runner === 'vitest') {
    const failed = output.slice(output.indexOf('Failed Tests'));
    return failed
      .split(/^⎯+\[\d+\/\d+\]⎯$/m)
      .map((text) => ({ tests: [...text.matchAll(/^ FAIL {2}(?:\|[\w-]+\| )?\S+ > (.+)$/gm)].map((match) => match[1]), text }))
      .filter((block) => block.tests.length > 0);
  }
  return output
    .split(/^ {2}● /m)
    .slice(1)
    .map((text) => ({ tests: [text.slice(0, text.indexOf('\n')).trim()], text }));
}

/** The tests of fixtures/<runner>/unawaited.fixture: those that leave out an `await`, and those that do not. */
const UNAWAITED = {
  slow: 'an unawaited check of a slow buggy layer fails the test',
  fast: 'an unawaited check that fails before the test ends fails it too',
  not: 'an unawaited .not check fails the test, although it passes',
  soft: 'an unawaited expect.soft check fails the test twice: its soft failure and the missing await',
  concurrent: 'concurrent: a test without await',
};
const AWAITED = {
  failing: 'an awaited check of the same layer fails with its report alone, the layer idle again',
  passing: 'awaited checks pass: a correct layer, .not on a buggy one, a failure awaited through rejects',
  concurrent: 'concurrent: a test beside it that awaits',
};
const NOT_AWAITED = 'The check was not awaited. The layer is async (its forward or backward returns a Promise), so the matcher returns a Promise, and ';

/**
 * A run of fixtures/<runner>/unawaited.fixture: each test that leaves out an `await` fails with
 * the not-awaited error (the call with its `await`, what the check found, a code frame at the
 * call), the test that awaits a buggy layer fails with its report alone, the others pass, and
 * nothing is left unhandled. `vitestMajor` 3: a concurrent test's unawaited check is not
 * attributed (Vitest 3 gives matchers no handle on their test), so that test passes.
 */
export function assertUnawaitedRun(expect: ExpectStatic, result: RunResult, runner: 'vitest' | 'jest', vitestMajor = 0): void {
  const { output } = result;
  const blocks = failureBlocks(output, runner);
  const of = (test: string): string[] => blocks.filter((block) => block.tests.includes(test)).map((block) => block.text);
  expect(result.code, output).toBe(1);
  const [slow] = of(UNAWAITED.slow);
  expect(of(UNAWAITED.slow), output).toHaveLength(1);
  expect(slow).toContain(`${NOT_AWAITED}the test ended while the check was still running.`);
  expect(slow).toMatch(/^\s+await expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
  expect(slow).toContain('It failed after the test ended, and the test never saw it:');
  expect(slow).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
  expect(slow).toMatch(runner === 'vitest' ? /^- Expected$/m : /^\s+- Numeric \(finite differences\)$/m);
  // The code frame shows the line that lacks the `await`.
  expect(slow).toMatch(/^\s*>?\s*\d+\s*\|\s+expect\(shared\)\.toHaveCorrectGradients\(\);$/m);
  expect(of(UNAWAITED.fast)).toHaveLength(1);
  expect(of(UNAWAITED.fast)[0]).toContain(`${NOT_AWAITED}the test went on without waiting for it.`);
  expect(of(UNAWAITED.fast)[0]).toContain('It failed, and the test never saw it:');
  expect(of(UNAWAITED.not)).toHaveLength(1);
  expect(of(UNAWAITED.not)[0]).toMatch(/^\s+await expect\(layer\)\.not\.toHaveCorrectGradients\(\)$/m);
  expect(of(UNAWAITED.not)[0]).toContain('It passed after the test ended; had it failed, the test would have passed all the same.');
  // Awaited, a failing check fails with its own report, once, and nothing about an await.
  expect(of(AWAITED.failing)).toHaveLength(1);
  expect(of(AWAITED.failing)[0]).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
  expect(of(AWAITED.failing)[0]).not.toContain('not awaited');
  expect(of(AWAITED.passing)).toEqual([]);
  expect(output).toContain(`✓ ${AWAITED.passing}`);
  if (runner === 'jest') {
    expect(output).toMatch(/Tests:\s+4 failed, 1 passed, 5 total/);
    expect(output).not.toMatch(/unhandled|Cannot log after tests are done|did not exit/i);
    return;
  }
  // expect.soft reports the failure itself; the missing await is a second error of the same test.
  const soft = of(UNAWAITED.soft);
  expect(soft).toHaveLength(2);
  expect(soft.filter((text) => text.includes('not awaited'))).toHaveLength(1);
  expect(soft.join('\n')).toMatch(/^\s+await expect\.soft\(layer\)\.toHaveCorrectGradients\(\)$/m);
  expect(soft.join('\n')).toContain('It failed after the test ended; expect.soft reports that failure separately.');
  expect(of(AWAITED.concurrent)).toEqual([]);
  if (vitestMajor === 3) {
    // Not attributed, so the test passes; whether Vitest then reports the failure as an unhandled
    // rejection depends on whether it comes before the run ends (seen both ways on 2 busy cores).
    expect(of(UNAWAITED.concurrent)).toEqual([]);
    expect(output).toContain(`✓ ${UNAWAITED.concurrent}`);
    expect(output).toMatch(/Tests\s+5 failed \| 3 passed \(8\)/);
    return;
  }
  expect(of(UNAWAITED.concurrent)).toHaveLength(1);
  expect(of(UNAWAITED.concurrent)[0]).toContain(`${NOT_AWAITED}the test ended while the check was still running.`);
  expect(output).toMatch(/Tests\s+6 failed \| 2 passed \(8\)/);
  expect(output).not.toMatch(/unhandled/i);
}

/**
 * `node root-entry.cjs` and `node root-entry.mjs` (fixtures/shared) in a project: require() gives the
 * CJS build and import the ESM build of the copy in `<project>/node_modules`, both working.
 */
export function assertRootEntries(expect: ExpectStatic, project: string, cjs: RunResult, esm: RunResult): void {
  const dist = join(project, 'node_modules', 'expect-gradcheck', 'dist');
  expect(cjs.code, cjs.output).toBe(0);
  expect(esm.code, esm.output).toBe(0);
  expect(JSON.parse(cjs.stdout)).toEqual({ resolved: join(dist, 'index.cjs'), checkGradients: 'function', correct: true, buggy: false });
  expect(JSON.parse(esm.stdout)).toEqual({ resolved: `file://${join(dist, 'index.js')}`, checkGradients: 'function', correct: true, buggy: false });
}

// ---------------------------------------------------------------------------------------------
// What every type check must show.

/**
 * tsc passes only if every line under an expect-error directive is an error and every other line
 * is not, and the runner's own declarations (when the scope is "all") have no error either. The
 * program must hold the fixtures and the installed declaration, and nothing from outside the project
 * but what `allowedOutside` accepts.
 */
export function assertTypecheck(
  expect: ExpectStatic,
  project: string,
  report: TypecheckReport | undefined,
  files: string[],
  declaration: RegExp,
  allowedOutside: (path: string) => boolean,
): void {
  expect(report, 'a report for this config').toBeDefined();
  if (report?.error !== undefined) throw new Error(report.error);
  // First, as a file found outside explains any error after it.
  const listed = (report?.files ?? []).map((file) => file.replaceAll('\\', '/'));
  const outside = listed.filter((path) => !isInside(project, path) && !allowedOutside(path));
  expect(outside, 'files from outside the project (found by walking up into the repo)').toEqual([]);

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
