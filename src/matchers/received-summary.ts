import { className, escapeText } from '../layer/describe-value.js';

const MAX_KEYS = 8;
const MAX_TEXT = 60;

function describeKey(holder: object, key: string): string {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  // Never read an accessor: that would run layer code to print a message.
  if (descriptor !== undefined && !('value' in descriptor)) return `get ${escapeText(key)}`;
  return typeof descriptor?.value === 'function' ? `${escapeText(key)}()` : escapeText(key);
}

/**
 * A received value named in one line: `Dense { W, b, dW, db, params, forward(), … 3 more }`,
 * `Float64Array(20)`, `42`. A usage error that prints a 256×128 layer in full (540 lines) buries
 * the sentence that says what to fix.
 */
export function summarizeReceived(value: unknown, printPrimitive: (value: unknown) => string, color: (text: string) => string = (t) => t): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    const shown = typeof value === 'string' && value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
    return printPrimitive(typeof shown === 'string' ? escapeText(shown) : shown);
  }
  if (typeof value === 'function') return color(`[Function ${escapeText(value.name) || 'anonymous'}]`);
  if (Array.isArray(value)) return color(`Array(${value.length})`);
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length;
    return color(`${value.constructor.name}${length === undefined ? '' : `(${length})`}`);
  }
  const name = className(value);
  const keys = Object.keys(value);
  const shown = keys.slice(0, MAX_KEYS).map((key) => describeKey(value, key));
  if (keys.length > MAX_KEYS) shown.push(`… ${keys.length - MAX_KEYS} more`);
  const body = shown.length === 0 ? '{}' : `{ ${shown.join(', ')} }`;
  return color(name === null ? body : `${escapeText(name)} ${body}`);
}
