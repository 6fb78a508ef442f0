import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callerFrame, frameLocation } from '../../src/matchers/call-site.js';
import { plainUtils } from '../../src/matchers/matcher-context.js';
import { jestMatchers } from '../../src/matchers/index.js';
import { Scale } from '../zoo/protocol/weight-scale.js';

describe('frameLocation', () => {
  it('reads the file and line of V8 stack lines, ES module URLs as paths', () => {
    expect(frameLocation('    at TestContext.<anonymous> (file:///tmp/my%20project/dense.test.js:6:44)')).toEqual({ file: '/tmp/my project/dense.test.js', line: 6 });
    expect(frameLocation('    at /work/dense.test.js:12:3')).toEqual({ file: '/work/dense.test.js', line: 12 });
    expect(frameLocation('    at async Promise.all (index 0)')).toBeNull();
    expect(frameLocation('    at async check (/work/helpers.js:4:9)')).toEqual({ file: '/work/helpers.js', line: 4 });
    expect(frameLocation('    at Object.<anonymous> (C:\\work\\dense.test.js:3:24)')).toEqual({ file: 'C:\\work\\dense.test.js', line: 3 });
    expect(frameLocation('    at Test.run (node:internal/test_runner/test:796:25)')).toBeNull();
    expect(frameLocation('    at eval (eval at <anonymous> (file:///a.js:1:1), <anonymous>:1:1)')).toBeNull();
    expect(frameLocation('Error')).toBeNull();
  });
});

describe('callerFrame', () => {
  // A stack as `node --test` gives it, from the standalone expect's throwingMatcher down to the test.
  const stack = [
    'Error',
    '    at Object.throwingMatcher [as toHaveCorrectGradients] (/p/node_modules/expect/build/index.js:2110:20)',
    '    at check (file:///p/test/helpers.js:4:17)',
    '    at TestContext.<anonymous> (file:///p/test/dense.test.js:14:3)',
    '    at Test.runInAsyncScope (node:async_hooks:206:9)',
    '    at Test.run (node:internal/test_runner/test:796:25)',
  ].join('\n');

  it('takes the first frame outside dependencies, the package itself and Node', () => {
    expect(callerFrame(stack, () => false)).toEqual({ file: '/p/test/helpers.js', line: 4 });
    expect(callerFrame(stack, (file) => file.startsWith('/p/test/helpers'))).toEqual({ file: '/p/test/dense.test.js', line: 14 });
  });

  it('prefers the frame in the entry script (node --test runs each test file as one)', () => {
    expect(callerFrame(stack, () => false, '/p/test/dense.test.js')).toEqual({ file: '/p/test/dense.test.js', line: 14 });
    expect(callerFrame(stack, () => false, '/p/elsewhere.js')).toEqual({ file: '/p/test/helpers.js', line: 4 });
  });

  it('is null when no frame is the user’s', () => {
    expect(callerFrame('Error\n    at Test.run (node:internal/test_runner/test:796:25)', () => false)).toBeNull();
  });
});

describe('a runner that names no test (node --test with the standalone expect)', () => {
  let directory = '';
  const saved = process.env.EXPECT_GRADCHECK_REPORTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.EXPECT_GRADCHECK_REPORTS;
    else process.env.EXPECT_GRADCHECK_REPORTS = saved;
    rmSync(directory, { recursive: true, force: true });
  });

  it('gets reports named after the file and line of the expect call', () => {
    directory = mkdtempSync(join(tmpdir(), 'gradcheck-call-site-'));
    process.env.EXPECT_GRADCHECK_REPORTS = directory;
    // What the standalone expect gives a matcher under node --test: no test name, no test path.
    const context = { utils: plainUtils, isNot: false, currentTestName: undefined, testPath: undefined };
    const line = (): number => Number(/:(\d+):\d+\)?$/.exec(new Error().stack!.split('\n')[2])![1]);
    const [called, result] = [line(), jestMatchers.toHaveCorrectGradients.call(context, new Scale())];
    expect(result).toMatchObject({ pass: true });
    expect(readdirSync(directory)).toEqual([`test-matchers-call-site-test--line-${called}.json`]);
    expect(JSON.parse(readFileSync(join(directory, `test-matchers-call-site-test--line-${called}.json`), 'utf8'))).toMatchObject({
      test: null,
      file: 'test/matchers/call-site.test.ts',
      line: called,
    });
  });
});
