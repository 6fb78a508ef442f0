import { processLike } from './report-host.js';

/**
 * State the report writer keeps between checks, shared by every copy of this package loaded in
 * one process. A project can load two: under native-ESM Jest, `setupFilesAfterEnv:
 * ['expect-gradcheck/jest']` resolves to the CommonJS build while a setup file's `import {
 * reportChecksTo } from 'expect-gradcheck'` gets the ESM build, and a module-level variable set in
 * one was never seen by the matcher running from the other. `Symbol.for` keys are the same in
 * every copy (and every realm), so the state lives on shared objects under them.
 */
export interface SharedReportState {
  /** Set by `reportChecksTo()`; `EXPECT_GRADCHECK_REPORTS` wins over it. */
  directory: string | null;
  /** Per report name, the suffix to try first: a hint only (files are created exclusively), so later checks skip names taken. */
  nextSuffix: Map<string, number>;
}

const STATE_KEY = Symbol.for('expect-gradcheck.reports');
const WARNED_KEY = Symbol.for('expect-gradcheck.reports.warned');

type SymbolHolder = Record<symbol, unknown>;

/** On `globalThis`: what a setup file sets is seen by every matcher of the same test file. */
export function sharedReportState(): SharedReportState {
  const holder = globalThis as unknown as SymbolHolder;
  const existing = holder[STATE_KEY] as SharedReportState | undefined;
  if (existing !== undefined) return existing;
  const created: SharedReportState = { directory: null, nextSuffix: new Map() };
  Object.defineProperty(holder, STATE_KEY, { value: created, configurable: true });
  return created;
}

/**
 * The warnings given so far, once per process. Not on `globalThis`: Jest gives each test file its
 * own global object and its own copy of `process` (even `process.getBuiltinModule('node:process')`
 * answers that copy), so a flag there would warn once per test file. Node's `fs` module object is
 * the same for every test file of a worker process, so the set is kept on it, under a key no one
 * else uses; where there is no `fs`, or it cannot take the key, on `globalThis`.
 */
export function warningsGiven(): Set<string> {
  const current = processLike();
  const fs = typeof current?.getBuiltinModule === 'function' ? current.getBuiltinModule('node:fs') : undefined;
  for (const holder of [fs, globalThis]) {
    if ((typeof holder !== 'object' && typeof holder !== 'function') || holder === null) continue;
    const existing = (holder as SymbolHolder)[WARNED_KEY] as Set<string> | undefined;
    if (existing !== undefined) return existing;
    if (!Object.isExtensible(holder)) continue;
    const created = new Set<string>();
    Object.defineProperty(holder, WARNED_KEY, { value: created, configurable: true });
    return created;
  }
  return new Set<string>();
}
