import type { ReportPath } from './report-host.js';

/** A check as its report is named and listed: the test file relative to the project, the test's name, the line of the call. */
export interface CheckIdentity {
  /** The test file relative to the project root, with `/` separators (absolute when outside it); null when unknown. */
  file: string | null;
  /** The test's full name as the runner gives it; null under runners that give none (`node --test`). */
  testName: string | null;
  /** The line of the `expect(…)` call, when the name had to be found from the call stack. */
  line: number | null;
}

/** Report file names stay under this many characters (plus `-N.json`): file systems cap a name at 255 bytes. */
export const MAX_BASE_LENGTH = 120;
const HASH_LENGTH = 8;

/** Lowercase words joined by dashes: `Dense > batch 8` → `dense-batch-8`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** 32-bit FNV-1a of the text's UTF-16 code units, as 8 hex digits: short, stable, and no Node import. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(HASH_LENGTH, '0');
}

/**
 * The test file as the project sees it: relative to the first root that holds it (the working
 * directory, then the runner's root), so two `dense.test.ts` in different folders get different
 * names. A file outside every root keeps its whole path.
 */
export function relativeTestFile(testPath: string | undefined, roots: string[], path: ReportPath): string | null {
  if (testPath === undefined || testPath === '') return null;
  const absolute = path.resolve(testPath);
  for (const root of roots) {
    const relative = path.relative(path.resolve(root), absolute);
    const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    if (!outside) return relative.split(path.sep).join('/');
  }
  return absolute.split(path.sep).join('/');
}

/**
 * The report's file name without suffix or extension: `test-layers-dense-test--dense-has-correct-gradients`
 * (file without its extension, `--`, test name), or `…--line-14` when no test name is known. A name
 * longer than MAX_BASE_LENGTH is cut and ends in a hash of the whole name, so two long names that
 * share their first 111 characters still differ.
 */
export function reportFileBase(identity: CheckIdentity): string {
  const file = slug((identity.file ?? '').replace(/\.[cm]?[jt]sx?$/, ''));
  const test = slug(identity.testName ?? (identity.line === null ? '' : `line ${identity.line}`));
  const base = [file, test].filter((part) => part !== '').join('--') || 'gradient-check';
  if (base.length <= MAX_BASE_LENGTH) return base;
  return `${base.slice(0, MAX_BASE_LENGTH - HASH_LENGTH - 1)}-${fnv1a(base)}`;
}
