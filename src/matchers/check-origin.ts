import type { CheckOrigin } from '../report/ci-report.js';
import { callerOf } from './call-site.js';
import type { MatcherContextLike } from './matcher-context.js';

/**
 * The runner's project root, where its matcher context tells: Vitest 4 and 5 name the test file
 * relative to it (`task.file.name`) beside its path; Jest's snapshot state keeps its `rootDir`.
 */
function runnerRoot(context: MatcherContextLike): string | undefined {
  const file = (context.task as { file?: { filepath?: unknown; name?: unknown } } | undefined)?.file;
  if (typeof file?.filepath === 'string' && typeof file.name === 'string' && file.name !== '' && file.filepath.endsWith(file.name)) {
    return file.filepath.slice(0, file.filepath.length - file.name.length);
  }
  const rootDir = (context.snapshotState as { _rootDir?: unknown } | undefined)?._rootDir;
  return typeof rootDir === 'string' ? rootDir : undefined;
}

/**
 * Where the check stands, for its CI report: the runner's test name, test file and root, and
 * `.not`. A runner that names no test file (`node --test`) gets the file and line of the call,
 * read from the stack of `matcher`'s caller now, while the call is still on it.
 */
export function checkOrigin(context: MatcherContextLike, isNot: boolean, matcher: (...args: never[]) => unknown): CheckOrigin {
  const origin: CheckOrigin = { testName: context.currentTestName, testPath: context.testPath, rootDir: runnerRoot(context), isNot };
  if (origin.testPath !== undefined && origin.testPath !== '') return origin;
  const caller = callerOf(matcher);
  return caller === null ? origin : { ...origin, testPath: caller.file, line: caller.line };
}
