import { warningsGiven } from './report-state.js';

/** The warning's type and code, as Node prints them: `(node:123) [EXPECT_GRADCHECK_REPORT] ExpectGradcheckWarning: …`. */
export const WARNING_TYPE = 'ExpectGradcheckWarning';
export const WARNING_CODE = 'EXPECT_GRADCHECK_REPORT';

interface WarningProcess {
  emitWarning?: (message: string, options: { type: string; code: string }) => void;
}

/**
 * Warns once per process for each `key` (the setting at fault). A process warning, not
 * `console.warn`: setups that fail a test on console output (jest-fail-on-console, Vitest's
 * onConsoleLog) must not turn a report that could not be written into a failing test.
 */
export function warnOnce(key: string, message: string): void {
  const given = warningsGiven();
  if (given.has(key)) return;
  given.add(key);
  const current = (globalThis as { process?: WarningProcess }).process;
  if (typeof current?.emitWarning === 'function') current.emitWarning(message, { type: WARNING_TYPE, code: WARNING_CODE });
  else console.warn(`${WARNING_TYPE}: ${message}`);
}
