/**
 * Received values in a few words, for error messages. Never the whole value: a 256×128 layer
 * printed in full buries the one sentence that says what is wrong.
 */

const MAX_KEYS = 6;
const MAX_TEXT = 40;

function article(word: string): string {
  // 'a Uint8Array' but 'an Int32Array': the letter U is read 'you'.
  return /^[aeioAEIO]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** The class name of an instance, or null for plain objects and arrays. */
export function className(value: object): string | null {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  if (proto === null || proto === Object.prototype || proto === Array.prototype) return null;
  const name = proto.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : null;
}

function keyList(value: object): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, MAX_KEYS).map(escapeText);
  return `[${shown.join(', ')}${keys.length > MAX_KEYS ? `, … ${keys.length - MAX_KEYS} more` : ''}]`;
}

/** `string "abc"`, `an array of length 3`, `a Float32Array of length 4`, `a Dense instance with keys [W, b]`, `a Promise`… */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const shown = value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length;
    return `${article(value.constructor.name)}${length === undefined ? '' : ` of length ${length}`}`;
  }
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
  const name = className(value);
  return name === null ? `an object with keys ${keyList(value)}` : `${article(name)} instance with keys ${keyList(value)}`;
}

/** Control characters (newlines, ANSI escapes) escaped, so a name cannot break or recolour a report line. */
export function escapeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
