/**
 * What writing reports needs from Node: `fs`, `path`, the environment and the working directory.
 * Reached through `process.getBuiltinModule`, so the package imports nothing from Node and still
 * loads in a browser (where there is nothing to write to and `reportHost()` is null).
 */

/** The error Node's fs throws: `code` is `EEXIST`, `EISDIR`, `ENOTDIR`, `EACCES`, … */
export interface FileSystemError extends Error {
  code?: string;
}

export interface ReportFileSystem {
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  writeFileSync(path: string, data: string, options?: { flag?: string }): void;
  appendFileSync(path: string, data: string): void;
  readFileSync(path: string, encoding: 'utf8'): string;
  existsSync(path: string): boolean;
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  rmSync(path: string, options: { force: boolean }): void;
}

export interface ReportPath {
  resolve(...paths: string[]): string;
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
  join(...paths: string[]): string;
  sep: string;
}

export interface ReportHost {
  fs: ReportFileSystem;
  path: ReportPath;
  /** An environment variable, or undefined when it is unset or the runtime refuses to read it. */
  env(name: string): string | undefined;
  cwd(): string;
}

interface ProcessLike {
  env?: Record<string, string | undefined>;
  cwd?: () => string;
  getBuiltinModule?: (id: string) => unknown;
}

/** The running process as this module sees it (under Jest, a copy made for the test file), or undefined in a browser. */
export function processLike(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** Node's `fs`, `path` and environment, or null where there is no Node (or no `getBuiltinModule`: Node before 20.16). */
export function reportHost(): ReportHost | null {
  const current = processLike();
  if (current?.env === undefined || typeof current.getBuiltinModule !== 'function' || typeof current.cwd !== 'function') return null;
  const cwd = current.cwd.bind(current);
  const variables = current.env;
  // Deno without --allow-env throws NotCapable on every process.env read; a variable nobody may
  // read is one nobody set, so the check goes on and writes no report for it.
  const env = (name: string): string | undefined => {
    try {
      return variables[name];
    } catch {
      return undefined;
    }
  };
  return {
    fs: current.getBuiltinModule('node:fs') as ReportFileSystem,
    path: current.getBuiltinModule('node:path') as ReportPath,
    env,
    cwd,
  };
}

/**
 * The code of an fs error (`EISDIR`), or the error's name for anything else. Read by shape, not
 * `instanceof Error`: under Jest, Node's errors come from another realm than the test's `Error`.
 */
export function errorCode(error: unknown): string {
  const { code, name } = (error ?? {}) as FileSystemError;
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'error';
}

/** An error's message, by shape (see errorCode). */
export function errorMessage(error: unknown): string {
  const message = (error as FileSystemError | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
