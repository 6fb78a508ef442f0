/**
 * The support matrix of the packed package, as data: each consumer project (a runner version
 * installed next to the tarball with a plain `npm install`, or pnpm), the runner runs made in it
 * and the type-check families checked in each TypeScript resolution mode.
 * packed-package.test.ts turns every entry into tests; README's set-up lines come from here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, repoRoot } from './harness.js';

export type ResolutionMode = 'bundler' | 'node16' | 'nodenext' | 'node10';

export const ALL_MODES: readonly ResolutionMode[] = ['bundler', 'node16', 'nodenext', 'node10'];

/**
 * The mode whose program is checked whole, every declaration file included, as `tsc` with
 * skipLibCheck false does: nodenext holds an ESM and a CommonJS file, so both conditions'
 * declarations of this package meet the runner's there. In the other modes only the fixtures and
 * this package's declarations are checked (see typecheck-runner.cjs), for time, and because with
 * skipLibCheck false Vitest's own declarations fail by themselves under node16 for a CommonJS file
 * (TS1479: vitest/index.d.cts re-exports its ESM types) and under node10 (TS2307: Vitest and Vite
 * reach their own subpaths through package exports), whatever else is installed.
 */
export const FULL_CHECK_MODE: ResolutionMode = 'nodenext';

/**
 * One way of typing the matcher (a `types` entry and the `expect` it reaches), checked in several
 * resolution modes with fixtures/types/matcher-calls.fixture.ts: as `.ts` under bundler and node10,
 * as an ESM `.mts` plus a CommonJS `.cts` file under node16 and nodenext.
 */
export interface TypeFamily {
  /** File prefix in the project: types-<slug>.ts, tsconfig.<slug>.<mode>.json. */
  slug: string;
  title: string;
  /** compilerOptions.types, as the README tells users to write it. */
  types: string[];
  /** Replaces the fixture's `// <expect import>` line. */
  expectImport: string;
  /** Replaces the fixture's `// <runner-only calls>` line. */
  runnerOnlyCalls: string;
  /** The installed declaration file that must be part of every program (path tail). */
  declaration: RegExp;
  modes: readonly ResolutionMode[];
  /** More files for the bundler program (the runtime test file, so it type-checks as written). */
  bundlerAlsoChecks?: string[];
  /**
   * A second bundler program with these `types` only and skipLibCheck on: the shortest line that
   * types the matcher, for users who skip the runner's own declarations.
   */
  minimalTypes?: string[];
  /**
   * Checked with the TypeScript installed in the project (an old one the project's `installs`
   * name) instead of the repo's, with the compiler options that version knows (node10 is
   * `moduleResolution: "node"` there, and ES2019 its newest target both ends know).
   */
  ownTypescript?: true;
}

export interface RuntimeRun {
  title: string;
  runner: 'vitest' | 'jest';
  /**
   * What the run's test file checks: `gradients` the matcher's verdicts and messages
   * (fixtures/<runner>/gradients.fixture), `unawaited` that async checks left without `await`
   * fail their tests (fixtures/<runner>/unawaited.fixture).
   */
  suite: 'gradients' | 'unawaited';
  /** The config file the runner is given (written into the project by `files`). */
  config: string;
  /** Vitest's test file name in its FAIL lines. */
  testFile?: string;
  env?: Record<string, string>;
  /** Vitest 5 needs Node >= 22.12: run with the Node 22 binary from the registry's `node` package. */
  node22?: boolean;
  /** A directory (relative to the project) a setup file points CI reports at: after the run it must hold one report per check. */
  reportsDir?: string;
}

export interface ProjectSpec {
  /** Directory under the work dir, and the key tests use. */
  dir: string;
  title: string;
  packageManager: 'npm' | 'pnpm';
  packageType: 'module' | 'commonjs';
  /** Exact `name@version` specs installed next to the tarball. */
  installs: string[];
  /** Files written into the project before the install: name -> contents. */
  files: () => Record<string, string>;
  runs: RuntimeRun[];
  typeFamilies: TypeFamily[];
}

export const NODE_22 = 'node@22.23.3';
export const PNPM = 'pnpm@12.21.0';
const TYPES_NODE_20 = '@types/node@20.19.43';
/** Vitest 5 declares an optional peer @types/node ^22 || >=24; npm 11 crashes on an optional peer outside its range. */
const TYPES_NODE_22 = '@types/node@22.20.7';

function fixture(path: string): string {
  return readFileSync(join(fixturesDir, path), 'utf8');
}

const scaleLayerTs = (): string => readFileSync(join(repoRoot, 'test', 'zoo', 'protocol', 'weight-scale.ts'), 'utf8');

// ---------------------------------------------------------------------------------------------
// Vitest

const vitestConfig = (setup: string, include: string[]): string =>
  `export default {\n  test: {\n    include: ${JSON.stringify(include).replaceAll('"', "'")},\n    setupFiles: ['${setup}'],\n  },\n};\n`;

const vitestFiles = (setup = 'expect-gradcheck/vitest', unawaitedSetup = setup): Record<string, string> => ({
  // The smoke test adds resolution.test.ts to its copy of the vitest-4 project.
  'vitest.config.mjs': vitestConfig(setup, ['gradients.test.ts', 'resolution.test.ts']),
  'vitest.unawaited.config.mjs': vitestConfig(unawaitedSetup, ['unawaited.test.ts']),
  'gradients.test.ts': fixture('vitest/gradients.fixture.ts'),
  'unawaited.test.ts': fixture('vitest/unawaited.fixture.ts'),
  'scale-layer.ts': scaleLayerTs(),
  'scale-layer.cjs': fixture('shared/scale-layer.cjs'),
  'library-layer.ts': fixture('vitest/library-layer.fixture.ts'),
});

/** The two Vitest runs of a project: the matcher's verdicts, and unawaited checks (the setup entries name them in the titles). */
function vitestRuns(setup: string, node22 = false, unawaitedSetup = setup): RuntimeRun[] {
  const on = node22 ? ', run with Node 22' : '';
  return [
    { title: `setupFiles: ['${setup}']${on}`, runner: 'vitest', suite: 'gradients', config: 'vitest.config.mjs', testFile: 'gradients.test.ts', node22 },
    { title: `setupFiles: ['${unawaitedSetup}']${on}`, runner: 'vitest', suite: 'unawaited', config: 'vitest.unawaited.config.mjs', testFile: 'unawaited.test.ts', node22 },
  ];
}

/**
 * Vitest-only calls: expect.soft, and expect.poll (TS2554 without arguments before, like .resolves).
 * An async layer's check inside expect.poll is a Promise to await either way; Vitest 3 and 4 type it
 * Promise<Promise<void>>, Vitest 5 Promise<void>.
 */
const VITEST_ONLY_CALLS = [
  'expect.soft(layer).toHaveCorrectGradients(1e-5);',
  'const polled: Promise<void> = expect.poll(() => layer).toHaveCorrectGradients();',
  'const polledNot: Promise<void> = expect.poll(() => layer, { timeout: 1000 }).not.toHaveCorrectGradients({ seed: 2 });',
  'const polledAsync: PromiseLike<unknown> = expect.poll(() => asyncLayer).toHaveCorrectGradients();',
  '// @ts-expect-error expect.poll checks the arguments too',
  'expect.poll(() => layer).toHaveCorrectGradients({ epsilonn: 1e-5 });',
  'export { polled, polledNot, polledAsync };',
].join('\n');

function vitestTypes(entry: 'expect-gradcheck/vitest' | 'expect-gradcheck/vitest-5', modes: readonly ResolutionMode[] = ALL_MODES): TypeFamily {
  return {
    slug: entry === 'expect-gradcheck/vitest' ? 'vitest' : 'vitest-5-alias',
    title: `import { expect } from 'vitest', types ["node", "${entry}"]`,
    types: ['node', entry],
    expectImport: "import { expect } from 'vitest';",
    runnerOnlyCalls: VITEST_ONLY_CALLS,
    // Both entries' types are the same file.
    declaration: /\/node_modules\/expect-gradcheck\/dist\/vitest\.d\.ts$/,
    modes,
    bundlerAlsoChecks: entry === 'expect-gradcheck/vitest' ? ['gradients.test.ts', 'scale-layer.ts', 'library-layer.ts'] : undefined,
    minimalTypes: entry === 'expect-gradcheck/vitest' ? [entry] : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Jest

interface JestConfigOptions {
  testMatch: string;
  setup: string | string[];
  injectGlobals?: boolean;
  esm?: boolean;
}

function jestConfig({ testMatch, setup, injectGlobals, esm }: JestConfigOptions): string {
  const lines = [
    "  testEnvironment: 'node',",
    `  testMatch: ['<rootDir>/${testMatch}'],`,
    `  setupFilesAfterEnv: [${(typeof setup === 'string' ? [setup] : setup).map((file) => `'${file}'`).join(', ')}],`,
    ...(injectGlobals === false ? ['  injectGlobals: false,'] : []),
    '  transform: {},',
    '  watchman: false,',
    "  cacheDirectory: '<rootDir>/.jest-cache',",
  ];
  return `${esm === true ? 'export default' : 'module.exports ='} {\n${lines.join('\n')}\n};\n`;
}

const requireLayers = "const { AsyncScale, Scale, SlowScale } = require('./scale-layer.cjs');";
const importLayers = "import { AsyncScale, Scale, SlowScale } from './scale-layer.cjs';";

/** fixtures/jest/<suite>.fixture.js with its imports line filled in. */
function jestTestFile(imports: string, suite: RuntimeRun['suite'] = 'gradients'): string {
  return fixture(`jest/${suite}.fixture.js`).replace('// <imports>', imports);
}

const jestGlobalRun = (config = 'jest.config.js', suite: RuntimeRun['suite'] = 'gradients'): RuntimeRun => ({
  title: "setupFilesAfterEnv: ['expect-gradcheck/jest'], the global expect (CommonJS)",
  runner: 'jest',
  suite,
  config,
});

const jestGlobalsRun = (config = 'jest.globals.config.js', suite: RuntimeRun['suite'] = 'gradients'): RuntimeRun => ({
  title: "setupFilesAfterEnv: ['expect-gradcheck/jest-globals'], injectGlobals: false, expect from @jest/globals (CommonJS)",
  runner: 'jest',
  suite,
  config,
});

/** The CommonJS runs of a Jest project: the global expect's (and @jest/globals'), each for both suites. */
function jestRuns(withGlobals: boolean): RuntimeRun[] {
  return [
    jestGlobalRun(),
    jestGlobalRun('jest.unawaited.config.js', 'unawaited'),
    ...(withGlobals ? [jestGlobalsRun(), jestGlobalsRun('jest.globals-unawaited.config.js', 'unawaited')] : []),
  ];
}

const requireGlobals = `'use strict';\nconst { expect, test } = require('@jest/globals');\n${requireLayers}`;

/** CommonJS Jest project files: the global-expect runs, and optionally the @jest/globals ones. */
function jestFiles(withGlobals: boolean): Record<string, string> {
  return {
    'scale-layer.cjs': fixture('shared/scale-layer.cjs'),
    'jest.config.js': jestConfig({ testMatch: 'gradients.test.js', setup: 'expect-gradcheck/jest' }),
    'gradients.test.js': jestTestFile(`'use strict';\n${requireLayers}`),
    'jest.unawaited.config.js': jestConfig({ testMatch: 'unawaited.test.js', setup: 'expect-gradcheck/jest' }),
    'unawaited.test.js': jestTestFile(`'use strict';\n${requireLayers}`, 'unawaited'),
    ...(withGlobals
      ? {
          'jest.globals.config.js': jestConfig({ testMatch: 'globals.test.js', setup: 'expect-gradcheck/jest-globals', injectGlobals: false }),
          'globals.test.js': jestTestFile(requireGlobals),
          'jest.globals-unawaited.config.js': jestConfig({ testMatch: 'globals-unawaited.test.js', setup: 'expect-gradcheck/jest-globals', injectGlobals: false }),
          'globals-unawaited.test.js': jestTestFile(requireGlobals, 'unawaited'),
        }
      : {}),
  };
}

const jestGlobalTypes: TypeFamily = {
  slug: 'jest',
  title: 'the global expect of @types/jest, types ["jest", "node", "expect-gradcheck/jest"]',
  types: ['jest', 'node', 'expect-gradcheck/jest'],
  expectImport: '// the global expect of @types/jest',
  runnerOnlyCalls: '',
  declaration: /\/node_modules\/expect-gradcheck\/dist\/jest\.d\.c?ts$/,
  modes: ALL_MODES,
};

/** The oldest TypeScript the declarations support, as the README states it (brain.js pins 4.0.3). */
export const TYPESCRIPT_MINIMUM = 'typescript@4.0.3';

const jestMinimumTypes: TypeFamily = {
  slug: 'jest-ts-minimum',
  title: 'TypeScript 4.0.3 (the stated minimum, its own tsc) and @types/jest 26, the global expect, types ["jest", "expect-gradcheck/jest"]',
  types: ['jest', 'expect-gradcheck/jest'],
  expectImport: '// the global expect of @types/jest',
  runnerOnlyCalls: '',
  declaration: /\/node_modules\/expect-gradcheck\/dist\/jest\.d\.ts$/,
  modes: ['node10'],
  ownTypescript: true,
};

const jestGlobalsTypes: TypeFamily = {
  slug: 'jest-globals',
  title: "import { expect } from '@jest/globals', types [\"node\", \"expect-gradcheck/jest-globals\"]",
  types: ['node', 'expect-gradcheck/jest-globals'],
  expectImport: "import { expect } from '@jest/globals';",
  runnerOnlyCalls: '',
  declaration: /\/node_modules\/expect-gradcheck\/dist\/jest-globals\.d\.c?ts$/,
  modes: ALL_MODES,
  minimalTypes: ['expect-gradcheck/jest-globals'],
};

// ---------------------------------------------------------------------------------------------
// The projects, roughly in order of how much waits on each (they install in this order).

export const projects: ProjectSpec[] = [
  {
    dir: 'jest-30',
    title: 'Jest 30.5.2',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@30.5.2', '@types/jest@30.0.0', '@jest/globals@30.5.2', TYPES_NODE_20],
    files: () => ({
      ...jestFiles(true),
      'jest.config.mjs': jestConfig({ testMatch: 'gradients.test.mjs', setup: 'expect-gradcheck/jest', esm: true }),
      'gradients.test.mjs': jestTestFile(importLayers),
      'jest.globals-esm.config.mjs': jestConfig({ testMatch: 'globals.test.mjs', setup: 'expect-gradcheck/jest-globals', injectGlobals: false, esm: true }),
      'globals.test.mjs': jestTestFile(`import { expect, test } from '@jest/globals';\n${importLayers}`),
      // reportChecksTo() from an ESM setup file: the matcher (registered by the CommonJS setup
      // entry) must see it, though the two are different copies of the package.
      'jest.reports-esm.config.mjs': jestConfig({ testMatch: 'reports.test.mjs', setup: ['expect-gradcheck/jest', '<rootDir>/reports.setup.mjs'], esm: true }),
      'reports.setup.mjs': "import { reportChecksTo } from 'expect-gradcheck';\n\nreportChecksTo('reports-esm');\n",
      'reports.test.mjs': jestTestFile(importLayers),
      'root-entry.cjs': fixture('shared/root-entry.cjs'),
      'root-entry.mjs': fixture('shared/root-entry.mjs'),
    }),
    runs: [
      ...jestRuns(true),
      {
        title: "native ESM (--experimental-vm-modules, jest.config.mjs, .mjs tests), setupFilesAfterEnv: ['expect-gradcheck/jest']",
        runner: 'jest',
        suite: 'gradients',
        config: 'jest.config.mjs',
        env: { NODE_OPTIONS: '--experimental-vm-modules' },
      },
      {
        title: "native ESM, setupFilesAfterEnv: ['expect-gradcheck/jest-globals'], injectGlobals: false, expect imported from @jest/globals",
        runner: 'jest',
        suite: 'gradients',
        config: 'jest.globals-esm.config.mjs',
        env: { NODE_OPTIONS: '--experimental-vm-modules' },
      },
      {
        title: 'native ESM, reportChecksTo() called from an ESM setup file',
        runner: 'jest',
        suite: 'gradients',
        config: 'jest.reports-esm.config.mjs',
        env: { NODE_OPTIONS: '--experimental-vm-modules' },
        reportsDir: 'reports-esm',
      },
    ],
    typeFamilies: [jestGlobalTypes, jestGlobalsTypes],
  },
  {
    dir: 'vitest-4',
    title: 'Vitest 4.1.12',
    packageManager: 'npm',
    packageType: 'module',
    installs: ['vitest@4.1.12', TYPES_NODE_20],
    files: () => vitestFiles(),
    runs: vitestRuns('expect-gradcheck/vitest'),
    typeFamilies: [vitestTypes('expect-gradcheck/vitest')],
  },
  {
    dir: 'vitest-5',
    title: 'Vitest 5.1.2',
    packageManager: 'npm',
    packageType: 'module',
    installs: ['vitest@5.1.2', TYPES_NODE_22],
    // The same entry as Vitest 3 and 4, so upgrading Vitest changes no line; expect-gradcheck/vitest-5,
    // the entry Vitest 5 once needed, stays an alias of it: the unawaited run loads it, and its types
    // are checked under bundler.
    files: () => vitestFiles('expect-gradcheck/vitest', 'expect-gradcheck/vitest-5'),
    runs: vitestRuns('expect-gradcheck/vitest', true, 'expect-gradcheck/vitest-5'),
    typeFamilies: [vitestTypes('expect-gradcheck/vitest'), vitestTypes('expect-gradcheck/vitest-5', ['bundler'])],
  },
  {
    dir: 'vitest-3',
    title: 'Vitest 3.2.7',
    packageManager: 'npm',
    packageType: 'module',
    installs: ['vitest@3.2.7', TYPES_NODE_20],
    files: () => vitestFiles(),
    runs: vitestRuns('expect-gradcheck/vitest'),
    typeFamilies: [vitestTypes('expect-gradcheck/vitest')],
  },
  {
    dir: 'jest-29',
    title: 'Jest 29.7.0',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@29.7.0', '@types/jest@29.5.14', '@jest/globals@29.7.0', TYPES_NODE_20],
    files: () => jestFiles(true),
    runs: jestRuns(true),
    typeFamilies: [jestGlobalTypes, jestGlobalsTypes],
  },
  {
    dir: 'pnpm-jest-30',
    title: 'pnpm 12 (hoist: false), Jest 30.5.2 with @jest/globals and expect as dev dependencies',
    packageManager: 'pnpm',
    packageType: 'commonjs',
    installs: ['jest@30.5.2', '@jest/globals@30.5.2', 'expect@30.5.2', TYPES_NODE_20],
    files: () => ({
      // pnpm 12 reads its settings here, not from .npmrc. hoist: false keeps even pnpm's hidden
      // node_modules/.pnpm/node_modules empty: a package sees only what it declares.
      'pnpm-workspace.yaml': "hoist: false\nallowBuilds:\n  '@parcel/watcher': false\n",
      'scale-layer.cjs': fixture('shared/scale-layer.cjs'),
      'jest.globals.config.js': jestConfig({ testMatch: 'globals.test.js', setup: 'expect-gradcheck/jest-globals', injectGlobals: false }),
      'globals.test.js': jestTestFile(requireGlobals),
    }),
    runs: [jestGlobalsRun()],
    typeFamilies: [{ ...jestGlobalsTypes, minimalTypes: undefined }],
  },
  {
    dir: 'jest-28',
    title: 'Jest 28.1.3',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@28.1.3', '@types/jest@28.1.8', TYPES_NODE_20],
    files: () => jestFiles(false),
    runs: jestRuns(false),
    typeFamilies: [jestGlobalTypes],
  },
  {
    dir: 'jest-27',
    title: 'Jest 27.5.1',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@27.5.1', '@types/jest@27.5.1', TYPES_NODE_20],
    files: () => jestFiles(false),
    runs: jestRuns(false),
    typeFamilies: [jestGlobalTypes],
  },
  {
    // Jest before 28 ignores package exports: 'expect-gradcheck/jest' resolves through the
    // package's jest/ directory stub. Jest 24's --config takes only .js or .json.
    dir: 'jest-26',
    title: 'Jest 26.6.3',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@26.6.3', '@types/jest@26.0.24', TYPESCRIPT_MINIMUM],
    files: () => jestFiles(false),
    runs: jestRuns(false),
    typeFamilies: [jestMinimumTypes],
  },
  {
    dir: 'jest-24',
    title: 'Jest 24.9.0 (run time only)',
    packageManager: 'npm',
    packageType: 'commonjs',
    installs: ['jest@24.9.0'],
    files: () => jestFiles(false),
    runs: jestRuns(false),
    typeFamilies: [],
  },
];

// ---------------------------------------------------------------------------------------------
// Vitest browser mode (browser.test.ts runs its one project itself, so it is not in `projects`).

/**
 * What the browser-mode project installs next to the tarball. @vitest/browser-playwright must be at
 * Vitest's exact version (npm may crash without one); vite pinned as the repo pins it. Playwright's
 * own browser download does not work here: the project runs a system Chromium (CHROMIUM_PATH).
 */
export const BROWSER_INSTALLS = ['vitest@4.1.12', 'vite@8.3.8', '@vitest/browser-playwright@4.1.12', 'playwright@1.65.2'];
