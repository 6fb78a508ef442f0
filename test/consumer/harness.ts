/**
 * What the consumer tests share: running child processes with a clean environment, a job queue
 * for 2 cores, building and packing the package, installing into a fresh project (npm or pnpm) or
 * unpacking the tarball there, and type-checking a project's tsconfigs with typecheck-runner.cjs.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixturesDir = join(repoRoot, 'test', 'consumer', 'fixtures');
const typescriptDir = join(repoRoot, 'node_modules', 'typescript');
const typecheckRunner = join(repoRoot, 'test', 'consumer', 'typecheck-runner.cjs');

export interface RunResult {
  code: number | null;
  /** stdout then stderr, without colour codes (runners split their report across both). */
  output: string;
  stdout: string;
  seconds: number;
}

/**
 * The parent's environment minus what would leak into the children: Vitest's own variables (a
 * nested Vitest would think it is a worker), npm's project variables (npm_config_local_prefix
 * would point a child `npm install` at the repo), this package's report switches and NODE_OPTIONS.
 * npm settings that say where the registry and cache are stay, so installs share the cache.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npmSetting = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|proxy|https_proxy|noproxy|strict_ssl)$/i.test(key);
    if (!npmSetting && (/^(VITEST|__VITEST|JEST_|npm_|EXPECT_GRADCHECK_|GITHUB_STEP_SUMMARY)/i.test(key) || key === 'TEST' || key === 'NODE_OPTIONS')) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true', ...extra };
}

export function run(command: string, args: string[], cwd: string, extraEnv?: Record<string, string>): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: childEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, output: stripVTControlCharacters(`${stdout}\n${stderr}`), seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** Runs a command that must succeed, else fails with everything it printed. */
export async function mustRun(command: string, args: string[], cwd: string, extraEnv?: Record<string, string>): Promise<RunResult> {
  const result = await run(command, args, cwd, extraEnv);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code} in ${cwd}:\n${result.output}`);
  return result;
}

/** At most `slots` jobs run at once; the others start in the order they were queued. */
export function createQueue(slots: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    running -= 1;
    waiting.shift()?.();
  };
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await job();
    } finally {
      release();
    }
  };
}

/** A promise started now and awaited later by a test: its rejection goes to that test, never unhandled. */
export function startedNow<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * The source of a subclass of the examples' Dense whose forward and backward answer after a 2 ms
 * timer, as a GPU read-back does: its check outlasts a test that does not await it.
 */
export function slowDenseSource(name: string): string {
  return `class ${name} extends Dense {
  async forward(x) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return super.forward(x);
  }
  async backward(dy) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return super.backward(dy);
  }
}`;
}

/** A wrapper that runs work and records its seconds under a label in `timings` (kept in summary.json for inspection). */
export function timerInto(timings: Record<string, number>): <T>(label: string, work: () => Promise<T>) => Promise<T> {
  return async (label, work) => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[label] = Math.round(performance.now() - started) / 1000;
    }
  };
}

export interface Tarball {
  path: string;
  files: string[];
}

/** `npm run build`, then `npm pack` into `destination`. */
export async function buildAndPack(destination: string): Promise<Tarball> {
  await mustRun('npm', ['run', 'build'], repoRoot);
  const pack = await mustRun('npm', ['pack', '--json', '--pack-destination', destination], repoRoot);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { path: join(destination, packed.filename), files: packed.files.map((file) => file.path) };
}

/**
 * `npm run build` and `npm pack` of a staged copy of the working tree (whatever the build reads,
 * without what is generated or installed, built with the repo's dev dependencies), packed into
 * `workDir`. Not in place: packed-package.test.ts builds the repo's `dist/` (tsup cleans it first),
 * and the matrix files run two at a time.
 */
export async function buildAndPackStaged(workDir: string): Promise<string> {
  const staged = join(workDir, 'package');
  const generated = new Set(['node_modules', '.git', '.tmp', 'dist', 'coverage', 'examples', 'reports']);
  for (const entry of readdirSync(repoRoot)) {
    if (generated.has(entry) || entry.endsWith('.tgz')) continue;
    cpSync(join(repoRoot, entry), join(staged, entry), { recursive: true, filter: (source) => basename(source) !== 'node_modules' });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(staged, 'node_modules'), 'dir');
  await mustRun('npm', ['run', 'build'], staged);
  const pack = await mustRun('npm', ['pack', '--json', '--pack-destination', workDir], staged);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
  return join(workDir, packed.filename);
}

/**
 * The tarball unpacked as `<project>/node_modules/expect-gradcheck`, where npm would put it, without
 * npm: no registry, no lockfile, no scripts. An npm tarball holds everything under `package/`.
 */
export async function extractTarball(tarball: string, project: string): Promise<string> {
  const destination = join(project, 'node_modules', 'expect-gradcheck');
  mkdirSync(destination, { recursive: true });
  await mustRun('tar', ['-xzf', tarball, '-C', destination, '--strip-components=1'], project);
  return destination;
}

export function writeFiles(directory: string, files: Record<string, string>): void {
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, name)), { recursive: true });
    writeFileSync(join(directory, name), contents);
  }
}

/** Flags every npm install here uses: nothing but the install, from the cache where it can. */
const NPM_INSTALL_FLAGS = ['--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline'];

/**
 * A plain `npm install --save-dev` of the tarball and `specs` into `project` (no --force, no
 * --legacy-peer-deps). Install scripts are skipped unless `scripts` (nothing the consumer
 * projects install needs one: esbuild and rolldown ship their binaries as optional packages).
 */
export function npmInstall(project: string, specs: string[], { scripts = false } = {}): Promise<RunResult> {
  return mustRun('npm', ['install', '--save-dev', ...NPM_INSTALL_FLAGS, ...(scripts ? [] : ['--ignore-scripts']), ...specs], project);
}

/** `pnpm add -D` with the pnpm binary installed from the registry (settings in pnpm-workspace.yaml). */
export function pnpmAdd(pnpm: string, project: string, specs: string[]): Promise<RunResult> {
  return mustRun(process.execPath, [pnpm, 'add', '--save-dev', ...specs], project);
}

/** `name@version` as [name, version] (the name may be scoped: `@types/node@20.19.43`). */
export function specVersion(spec: string): [string, string] {
  const at = spec.lastIndexOf('@');
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/** The version of `name` as installed in `project` (following pnpm's symlinks), or why there is none. */
export function installedVersion(project: string, name: string): string {
  const manifest = join(project, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return `(not installed: no ${manifest})`;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export interface Diagnostic {
  file: string | null;
  line: number | null;
  code: number;
  message: string;
}

export interface TypecheckReport {
  config: string;
  scope?: 'all' | 'own';
  /** The files whose diagnostics were asked for: 'all', or the list (scope "own"). */
  checked?: 'all' | string[];
  typescript?: string;
  ms?: number;
  diagnostics?: Diagnostic[];
  files?: string[];
  /** Set when the config could not be read or the program not built. */
  error?: string;
}

/**
 * Type-checks configs (paths relative to `project`) in one process; one report per config. Scope
 * "all" is what `tsc --noEmit` reports; "own" only the config's files and expect-gradcheck's
 * declarations (see typecheck-runner.cjs). `typescript` is the TypeScript package directory (the
 * repo's by default, a project's own for an old version).
 */
export async function typecheck(project: string, checks: Array<{ config: string; scope: 'all' | 'own' }>, typescript = typescriptDir): Promise<Map<string, TypecheckReport>> {
  const result = await mustRun(process.execPath, [typecheckRunner, typescript, JSON.stringify(checks)], project);
  const reports = JSON.parse(result.stdout) as TypecheckReport[];
  return new Map(reports.map((report) => [report.config, report]));
}

export function formatDiagnostic(project: string, diagnostic: Diagnostic): string {
  const file = diagnostic.file === null ? '' : `${relativeTo(project, diagnostic.file)}(${diagnostic.line}): `;
  return `${file}error TS${diagnostic.code}: ${diagnostic.message}`;
}

/** `path` relative to `project` when inside it, else as is; with forward slashes. */
export function relativeTo(project: string, path: string): string {
  const normalized = path.replaceAll('\\', '/');
  const root = `${project.replaceAll('\\', '/')}/`;
  return normalized.startsWith(root) ? normalized.slice(root.length) : normalized;
}

/** Where TypeScript's own lib.*.d.ts files are (the only program files allowed outside a project). */
export const typescriptLibDir = `${realpathSync(join(typescriptDir, 'lib')).replaceAll('\\', '/')}/`;

export function isInside(directory: string, path: string): boolean {
  return path.replaceAll('\\', '/').startsWith(`${directory.replaceAll('\\', '/')}/`) || path.startsWith(directory + sep);
}
