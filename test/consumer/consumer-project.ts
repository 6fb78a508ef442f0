/**
 * What a consumer project's files are made of and what its runs must print, shared by the version
 * matrix (packed-package.test.ts, `npm run test:matrix`) and the smoke test (smoke.test.ts, `npm
 * test`), so both write the same projects from matrix.ts and judge them by the same assertions.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The fixture as types-<slug>.ts, .mts and .cts, and a tsconfig for each of the family's modes (and its minimal one). */
export function typeCheckFiles(family: TypeFamily): Record<string, string> {
  const source = readFileSync(join(fixturesDir, 'types', 'matcher-calls.fixture.ts'), 'utf8')
    .replace('// <expect import>', family.expectImport)
    .replace('// <runner-only calls>', family.runnerOnlyCalls);
  const files: Record<string, string> = {};
  for (const extension of ['ts', 'mts', 'cts']) files[`types-${family.slug}.${extension}`] = source;
  for (const mode of family.modes) files[configName(family, mode)] = tsconfig(family.types, mode, programFiles(family, mode));
  if (family.minimalTypes !== undefined) files[configName(family, 'minimal')] = tsconfig(family.minimalTypes, 'bundler', [`types-${family.slug}.ts`], true);
  return files;
}

// ---------------------------------------------------------------------------------------------
// What every runner run of the fixtures must show.

/**
 * A Vitest run of fixtures/vitest/gradients.fixture.ts: four tests pass and two fail on purpose.
 * `alsoPassed` counts passing tests of other files in the same run (the smoke test adds one).
 */
export function assertVitestRun(expect: ExpectStatic, result: RunResult, testFile: string, version: string, alsoPassed = 0): void {
  const { output } = result;
  const passed = 4 + alsoPassed;
  expect(output, 'the project’s own Vitest ran').toContain(`RUN  v${version} `);
  expect(result.code, output).toBe(1);
  expect(output).toMatch(new RegExp(`Tests\\s+2 failed \\| ${passed} passed \\(${passed + 2}\\)`));
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

/** A Jest run of fixtures/jest/gradients.fixture.js: three tests pass and two fail on purpose. */
export function assertJestRun(expect: ExpectStatic, result: RunResult): void {
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
