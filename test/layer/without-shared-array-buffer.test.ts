/**
 * A page that is not cross-origin isolated has no SharedArrayBuffer, and Vitest's browser mode
 * serves such pages by default. Every module of src/ (but the runner entries, which import their
 * runner) must load there, and a check must run: here in a Node process that deletes the global
 * before importing anything, so the regression shows without a browser. The consumer matrix runs
 * the packed package in a real headless Chromium (test/consumer/matrix.ts, project vitest-browser).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSources, srcDir } from '../../scripts/architecture.js';

const repoRoot = join(srcDir, '..');
/** They import vitest, @jest/globals or Jest's global expect, none of which exist outside a run. */
const RUNNER_ENTRIES = new Set(['vitest.ts', 'jest.ts', 'jest-globals.ts']);

const modules = [...readSources(srcDir).keys()].filter((file) => !RUNNER_ENTRIES.has(file)).sort();

/** Imports each module in turn after deleting SharedArrayBuffer, then checks a correct and a buggy layer; prints JSON. */
const script = `
delete globalThis.SharedArrayBuffer;
const failed = [];
for (const file of ${JSON.stringify(modules)}) {
  try {
    await import(${JSON.stringify(`${srcDir}/`)} + file);
  } catch (error) {
    failed.push(file + ': ' + String(error));
  }
}
const { checkGradients } = await import(${JSON.stringify(join(srcDir, 'index.ts'))});
const { Scale } = await import(${JSON.stringify(join(repoRoot, 'test', 'zoo', 'protocol', 'weight-scale.ts'))});
const correct = checkGradients(new Scale());
const buggy = checkGradients(new Scale(2));
console.log(JSON.stringify({
  sharedArrayBuffer: typeof SharedArrayBuffer,
  failed,
  correct: correct.verdict,
  buggy: buggy.verdict,
  failing: buggy.tensors.flatMap((tensor) => tensor.failures.map((failure) => tensor.name + '[' + failure.position.join(',') + ']')),
}));
`;

function runWithoutSharedArrayBuffer(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('without SharedArrayBuffer (a page that is not cross-origin isolated)', () => {
  it('every module of src/ but the runner entries loads, and a check passes a correct layer and fails a buggy one naming its entries', async () => {
    expect(modules.length).toBeGreaterThan(50);
    const result = await runWithoutSharedArrayBuffer();
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      sharedArrayBuffer: 'undefined',
      failed: [],
      correct: 'pass',
      buggy: 'fail',
      // Worst first.
      failing: ['w[1]', 'w[2]', 'w[0]'],
    });
  });
});
