/**
 * The packed package in Vitest's browser mode, in a real headless Chromium: build and pack (a staged
 * copy, as examples.test.ts does), a fresh project under the repo's git-ignored `.tmp/` with the
 * tarball and BROWSER_INSTALLS (matrix.ts) installed by a plain `npm install`, the config of
 * fixtures/browser/vitest.config.ts (the one docs/setup.md shows) and its test file, then the
 * project's own Vitest, whose output is asserted on: every test ran in the page, a correct and an
 * async layer pass, doubled weight gradients fail naming `w[1]`, an unawaited async check fails.
 *
 * Playwright's own browser download does not work on these machines: the run uses a system Chromium
 * (CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on PATH; `.ci/run` installs Debian's when
 * it is missing). Without one the tests fail and say how to install it; they never skip.
 * Set KEEP_BROWSER_TMP=1 to keep the project for inspection.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { failureBlocks } from './consumer-project.js';
import { buildAndPackStaged, fixturesDir, installedVersion, mustRun, npmInstall, repoRoot, run, specVersion, startedNow, timerInto, type RunResult } from './harness.js';
import { BROWSER_INSTALLS } from './matrix.js';

/** The build, the install (a cold npm cache fetches playwright-core, about 10 MB) and the run, one after the other. */
const TEST_TIMEOUT = 300_000;
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const INSTALL_CHROMIUM = 'apt-get update && apt-get install -y chromium';

/** The system Chromium the provider launches, or why there is none. */
function findChromium(): { path: string } | { error: string } {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    return existsSync(fromEnv) ? { path: fromEnv } : { error: `CHROMIUM_PATH is ${fromEnv}, which does not exist. Unset it, or install Chromium: ${INSTALL_CHROMIUM}` };
  }
  const executable = (path: string): boolean => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (executable('/usr/bin/chromium')) return { path: '/usr/bin/chromium' };
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((directory) => directory !== '')
    .map((directory) => join(directory, 'chromium'))
    .find(executable);
  if (onPath !== undefined) return { path: onPath };
  return {
    error:
      `No Chromium for Vitest's browser mode: CHROMIUM_PATH is unset, there is no executable /usr/bin/chromium and no chromium on PATH. ` +
      `Install Debian's (as root): ${INSTALL_CHROMIUM} (.ci/run does this when chromium is missing), or set CHROMIUM_PATH to a Chromium or Chrome executable.`,
  };
}

let workDir = '';
let project = '';
let chromium: Promise<{ path: string; version: string }>;
let installed: Promise<RunResult>;
let result: Promise<RunResult>;
const timings: Record<string, number> = {};

const timed = timerInto(timings);

beforeAll(() => {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.tmp', 'browser-'));
  project = join(workDir, 'browser-vitest-4');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer-browser-vitest-4', private: true, type: 'module' }, null, 2)}\n`);
  copyFileSync(join(fixturesDir, 'browser', 'vitest.config.ts'), join(project, 'vitest.config.ts'));
  copyFileSync(join(fixturesDir, 'browser', 'gradients.fixture.ts'), join(project, 'gradients.test.ts'));
  copyFileSync(join(repoRoot, 'test', 'zoo', 'protocol', 'weight-scale.ts'), join(project, 'scale-layer.ts'));

  const found = findChromium();
  chromium = startedNow(
    'error' in found
      ? Promise.reject(new Error(found.error))
      : mustRun(found.path, ['--version'], workDir).then((answer) => ({ path: found.path, version: answer.stdout.trim() })),
  );
  installed = startedNow(
    (async () => {
      const tarball = await timed('build and pack', () => buildAndPackStaged(workDir));
      return timed('install', () => npmInstall(project, [tarball, ...BROWSER_INSTALLS]));
    })(),
  );
  result = startedNow(
    (async () => {
      await installed;
      const { path } = await chromium;
      return timed('vitest run', () => run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], project, { CHROMIUM_PATH: path }));
    })(),
  );
});

afterAll(async () => {
  if (workDir === '') return;
  await Promise.allSettled([chromium, installed, result]);
  console.log(`browser matrix timings (s): ${JSON.stringify(timings)}`);
  if (process.env.KEEP_BROWSER_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tests may keep things there
  } catch {
    // not empty, or already gone
  }
}, TEST_TIMEOUT);

describe.concurrent('the packed package in Vitest browser mode, headless Chromium', () => {
  test('a Chromium is found (CHROMIUM_PATH, else /usr/bin/chromium, else chromium on PATH) and prints its version', async ({ expect }) => {
    const { version } = await chromium;
    expect(version).toMatch(/^(Chromium|Google Chrome) \d+\.\d+\.\d+\.\d+/);
  });

  test(`a plain \`npm install -D\` of the tarball and ${BROWSER_INSTALLS.join(', ')} installs exactly those`, async ({ expect }) => {
    await installed;
    expect(installedVersion(project, 'expect-gradcheck')).toBe(packageVersion);
    for (const [name, version] of BROWSER_INSTALLS.map(specVersion)) expect(installedVersion(project, name), name).toBe(version);
  }, TEST_TIMEOUT);

  test('in the page: a correct layer passes, doubled weight gradients fail naming w[1] (sync and async), an async layer is awaited, an unawaited check fails', async ({ expect }) => {
    const { output, code } = await result;
    const { version } = await chromium;
    const vitestVersion = specVersion(BROWSER_INSTALLS.find((spec) => spec.startsWith('vitest@'))!)[1];
    expect(output, 'the project’s own Vitest ran').toContain(`RUN  v${vitestVersion} ${project}`);
    expect(code, output).toBe(1);
    expect(output).toMatch(/Tests\s+3 failed \| 3 passed \(6\)/);
    expect(output).toMatch(/Test Files\s+1 failed \(1\)/);
    // Vitest names the browser instance of every file it ran; the page's own user agent is the
    // Chromium found above (its major version), headless.
    expect(output).toMatch(/ \|chromium\| gradients\.test\.ts \(6 tests \| 3 failed\)/);
    const major = /(\d+)\./.exec(version)?.[1];
    expect(output).toMatch(new RegExp(`^userAgent: Mozilla/5\\.0 .*HeadlessChrome/${major}\\.`, 'm'));
    // What the page had, recorded: not cross-origin isolated, a page has no SharedArrayBuffer (the package must load either way).
    const sharedArrayBuffer = /^typeof SharedArrayBuffer: (\w+), crossOriginIsolated: (\w+)$/m.exec(output);
    expect(sharedArrayBuffer, 'the page logged what it had').not.toBeNull();
    console.log(`browser run: ${version}; in the page typeof SharedArrayBuffer = ${sharedArrayBuffer?.[1]}, crossOriginIsolated = ${sharedArrayBuffer?.[2]}`);

    for (const passed of ['the tests run in a browser page', 'a correct layer passes', 'an async layer answering a task later gets an awaited matcher']) {
      expect(output).toMatch(new RegExp(`^\\s+✓ ${passed}`, 'm'));
    }
    const blocks = failureBlocks(output, 'vitest');
    const of = (title: string): string[] => blocks.filter((block) => block.tests.includes(title)).map((block) => block.text);
    expect(blocks.flatMap((block) => block.tests).sort(), output).toEqual([
      'a layer with a doubled weight gradient fails',
      'an async check left without await fails its test',
      'an async layer with a doubled weight gradient fails',
    ]);
    for (const title of ['a layer with a doubled weight gradient fails', 'an async layer with a doubled weight gradient fails', 'an async check left without await fails its test']) {
      const [text] = of(title);
      expect(of(title), title).toHaveLength(1);
      expect(text).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
      expect(text).toMatch(/^\s+w\[1\]\s+analytic\s+-3\.78\d*\s+numeric\s+-1\.89/m);
      // Vitest's own diff, drawn in the page from the matcher's actual/expected.
      expect(text).toMatch(/^-\s+"?w\[1\]"?(:| =>) -1\.89/m);
      expect(text).toMatch(/^\+\s+"?w\[1\]"?(:| =>) -3\.78/m);
    }
    const [unawaited] = of('an async check left without await fails its test');
    expect(unawaited).toContain('The check was not awaited. The layer is async (its forward or backward returns a Promise), so the matcher returns a Promise');
    expect(unawaited).toMatch(/^\s+await expect\(layer\)\.toHaveCorrectGradients\(\)$/m);
    expect(output).not.toMatch(/unhandled/i);
  }, TEST_TIMEOUT);
});
