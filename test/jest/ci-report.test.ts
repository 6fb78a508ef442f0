/// <reference types="jest" />
/**
 * CI reports under Jest, whose test files each run in their own realm with a copy of `process`:
 * a report that cannot be written leaves every outcome as it was and warns once per process (not
 * once per test file), and reports are named after the file relative to the project.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportChecksTo } from '../../src/report/ci-report';
import { warningsGiven } from '../../src/report/report-state';
import { WARNING_TYPE } from '../../src/report/report-warning';
import { outcomeOf } from '../helpers/assertion-messages';
import { Scale } from '../zoo/protocol/weight-scale';

/** The outcomes of a correct and a buggy layer, with and without `.not`: '' for a pass, else the message. */
function outcomes(): string[] {
  return [
    outcomeOf(() => expect(new Scale()).toHaveCorrectGradients()),
    outcomeOf(() => expect(new Scale(2)).toHaveCorrectGradients()),
    outcomeOf(() => expect(new Scale()).not.toHaveCorrectGradients()),
    outcomeOf(() => expect(new Scale(2)).not.toHaveCorrectGradients()),
  ];
}

let directory = '';
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'gradcheck-jest-reports-'));
  warningsGiven().clear();
});
afterEach(() => {
  delete process.env.EXPECT_GRADCHECK_REPORTS;
  reportChecksTo(null);
  warningsGiven().clear();
  jest.restoreAllMocks();
  rmSync(directory, { recursive: true, force: true });
});

test('a report directory that is a regular file changes no outcome and warns once, with the error code', () => {
  const unreported = outcomes();
  expect(unreported.map((message) => message === '')).toEqual([true, false, false, true]);
  writeFileSync(join(directory, 'file'), '');
  process.env.EXPECT_GRADCHECK_REPORTS = join(directory, 'file');
  const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  expect(outcomes()).toEqual(unreported);
  expect(outcomes()).toEqual(unreported);
  const ours = emitted.mock.calls.filter((call) => (call[1] as { type?: string } | undefined)?.type === WARNING_TYPE);
  expect(ours).toHaveLength(1);
  expect(String(ours[0][0])).toContain(`EXPECT_GRADCHECK_REPORTS is "${join(directory, 'file')}" (EEXIST: file already exists`);
});

test('the warnings given are kept process-wide, not on this test file’s global object', () => {
  const real = (process.getBuiltinModule as (id: string) => object)('node:fs') as Record<symbol, unknown>;
  expect(real[Symbol.for('expect-gradcheck.reports.warned')]).toBe(warningsGiven());
  expect((globalThis as unknown as Record<symbol, unknown>)[Symbol.for('expect-gradcheck.reports.warned')]).toBeUndefined();
});

test('reports are named after the test file relative to the project root and the test', () => {
  reportChecksTo(directory);
  expect(new Scale()).toHaveCorrectGradients();
  expect(readdirSync(directory)).toEqual(['test-jest-ci-report-test--reports-are-named-after-the-test-file-relative-to-the-project-root-and-the-test.json']);
  const json = JSON.parse(readFileSync(join(directory, readdirSync(directory)[0]), 'utf8'));
  expect(json).toMatchObject({ test: 'reports are named after the test file relative to the project root and the test', file: 'test/jest/ci-report.test.ts', held: true });
});
