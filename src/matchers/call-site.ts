/**
 * Where a check was called from, read from the call stack: for runners that name no test.
 * Node's test runner (`node --test` with the standalone `expect`) gives a matcher neither a test
 * name nor a test file (`expect.getState()` holds no `testPath` there, and Node 20 has no API for
 * the running test outside the test's own callback), so a report is named after the file and line
 * of the `expect(…)` call instead.
 */

export interface CallerFrame {
  /** A file path (file: URLs of ES modules are turned into paths). */
  file: string;
  line: number;
}

/** `file:///C:/a%20b/t.js` → `C:/a b/t.js`; `file:///a/t.js` → `/a/t.js`. */
function pathOfFileUrl(url: string): string {
  return decodeURIComponent(new URL(url).pathname).replace(/^\/([A-Za-z]:)/, '$1');
}

/** One V8 stack line's location, `at fn (file:///a/t.js:6:44)`, `at /a/t.js:6:44`, `at async fn (…)`; null for Node's own and eval'd code. */
export function frameLocation(stackLine: string): CallerFrame | null {
  const match = /^\s*at (?:async )?(?:.*? \()?(.+?):(\d+):\d+\)?$/.exec(stackLine);
  if (match === null) return null;
  const [, location, line] = match;
  if (location.startsWith('node:') || location.startsWith('<') || location.startsWith('eval at ') || location === 'native') return null;
  return { file: location.startsWith('file://') ? pathOfFileUrl(location) : location, line: Number(line) };
}

const IN_DEPENDENCY = /[\\/]node_modules[\\/]/;

/**
 * The user's frame in a stack: the first not in this package (`ownFiles`), a dependency (the
 * `expect` package) or Node; a frame in `entry` (the script Node runs, which `node --test` makes
 * each test file) first, so a check made through a helper file is named after the test file.
 */
export function callerFrame(stack: string, ownFiles: (file: string) => boolean, entry?: string): CallerFrame | null {
  const frames = stack
    .split('\n')
    .map(frameLocation)
    .filter((frame): frame is CallerFrame => frame !== null && !IN_DEPENDENCY.test(frame.file) && !ownFiles(frame.file));
  const normalize = (file: string): string => file.replaceAll('\\', '/');
  const inEntry = entry === undefined ? undefined : frames.find((frame) => normalize(frame.file) === normalize(entry));
  return inEntry ?? frames[0] ?? null;
}

let ownDirectory: string | null | undefined;

/** This package's directory of code (`…/dist/` or, in its own repository, `…/src/`), from where this module runs. */
function packageCodeDirectory(): string | null {
  if (ownDirectory !== undefined) return ownDirectory;
  const here = (new Error().stack ?? '').split('\n').map(frameLocation).find((frame) => frame !== null);
  const file = here?.file.replaceAll('\\', '/') ?? '';
  const cut = Math.max(file.lastIndexOf('/dist/'), file.lastIndexOf('/src/'));
  ownDirectory = cut < 0 ? null : file.slice(0, file.indexOf('/', cut + 1) + 1);
  return ownDirectory;
}

/** The frame that called `matcher` (captured now, so an async check keeps the line of its call). */
export function callerOf(matcher: (...args: never[]) => unknown): CallerFrame | null {
  const previousLimit = Error.stackTraceLimit;
  const site: { stack?: string } = {};
  try {
    // expect's own frames come between the test and the matcher: the default ten may not reach the test.
    Error.stackTraceLimit = 50;
    if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(site, matcher);
    else site.stack = new Error().stack;
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  const own = packageCodeDirectory();
  const entry = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
  return callerFrame(site.stack ?? '', (file) => own !== null && file.replaceAll('\\', '/').startsWith(own), entry);
}
