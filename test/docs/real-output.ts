/**
 * The real output behind every `<!-- output: id -->` block of README.md and docs/: each id names
 * how to produce it, here and now, from the sources. Reports come from `formatReport` in this
 * process (their text holds no timing: the plan is counted in calls, so it is the same on every
 * machine); what a runner or tsc prints comes from running them on a small temporary project under
 * the repo's git-ignored `.tmp/`, with the matcher loaded from src/ and no registry.
 *
 * A block quotes its output: its lines must appear in the real output in the same order, a line
 * that is only `…` standing for any number of lines left out, and a `…` inside a line for any text
 * left out of that line. Timings runners print (`12ms`) are dropped from both before comparing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGradients } from '../../src/check/check-gradients.js';
import { checkProcess } from '../../src/check/check-process.js';
import { createBudget } from '../../src/check/budget.js';
import { drive } from '../../src/check/layer-call.js';
import { validateOptions } from '../../src/check/options.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { formatReport } from '../../src/report/format-report.js';
import { repoRoot, run, slowDenseSource, type RunResult } from '../consumer/harness.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { ClockedAffine } from '../zoo/hostile/layers.js';
import { LargeDense } from '../zoo/large/dense.js';
import { TrainingModeDropout } from '../zoo/protocol/misbehaving.js';
import { zooEntry } from '../zoo/index.js';
import { checkGradientsAcross } from '../../src/across/check-across.js';
import { sequence } from '../../src/adapters/sequence.js';
import { formatAcrossReport } from '../../src/report/format-across.js';
import { batch, Dense, LayerNorm, Mse, ROW_SUM_SPACE, rowSum, Tanh } from './snippets/models.js';

const example = join(repoRoot, 'examples', 'vitest-typescript');
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

let workDir = '';

function project(name: string, files: Record<string, string>): string {
  if (workDir === '') {
    mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
    workDir = mkdtempSync(join(repoRoot, '.tmp', 'docs-'));
  }
  const directory = join(workDir, name);
  mkdirSync(directory, { recursive: true });
  for (const file of ['dense.ts', 'dense.test.ts']) copyFileSync(join(example, file), join(directory, file));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(directory, file), text);
  return directory;
}

/** Removes the temporary projects (call once every output has been read). */
export function removeProjects(): void {
  if (workDir === '' || process.env.KEEP_DOCS_TMP === '1') return;
  rmSync(workDir, { recursive: true, force: true });
  workDir = '';
  try {
    rmdirSync(join(repoRoot, '.tmp')); // only when empty: other tests may keep things there
  } catch {
    // not empty, or already gone
  }
}

const vitestConfig = (include: string): string =>
  `export default { test: { include: ['${include}'], setupFiles: [${JSON.stringify(join(repoRoot, 'src', 'vitest.ts'))}] } };\n`;

/** The example's test file as its comment says to try it: the second test without its `.not`. */
function withoutNot(testFile: string): string {
  const changed = testFile.replace(').not.toHaveCorrectGradients()', ').toHaveCorrectGradients()');
  if (changed === testFile) throw new Error('examples/vitest-typescript/dense.test.ts has no `.not.toHaveCorrectGradients()` to remove');
  return changed;
}

/** An async twin of the example's Dense (2 ms per call, as a GPU read-back), checked without await. */
const UNAWAITED_TEST = `import { expect, test } from 'vitest';
import { Dense } from './dense';

${slowDenseSource('AsyncDense')}

test('AsyncDense has correct gradients', () => {
  expect(new AsyncDense(4, 3)).toHaveCorrectGradients();
});
`;

function vitestRun(name: string, files: Record<string, string>, include: string): Promise<RunResult> {
  const directory = project(name, { ...files, 'vitest.config.mjs': vitestConfig(include) });
  return run(process.execPath, [vitestBin, 'run', '--config', 'vitest.config.mjs'], directory);
}

/** The example's tsconfig.json without its types line, as a project that forgot it has it. */
function tscWithoutTypes(): Promise<RunResult> {
  const tsconfig = readFileSync(join(example, 'tsconfig.json'), 'utf8');
  const without = tsconfig.replace(/,\n\s*"types": \[[^\]]*\]/, '');
  if (without === tsconfig) throw new Error('examples/vitest-typescript/tsconfig.json has no types line to leave out');
  const directory = project('tsc-missing-types', { 'tsconfig.json': without });
  return run(process.execPath, [tscBin, '-p', '.'], directory);
}

const bugOf = (entry: string, bug: string) => {
  const found = zooEntry(entry).bugs.find((variant) => variant.name === bug);
  if (found === undefined) throw new Error(`zoo entry ${entry} has no bug ${bug}`);
  return found.make('float64');
};

/** The check on a virtual clock that only the layer's calls move, as test/check/budget.test.ts runs it. */
function onVirtualClock(): GradientReport {
  const clock = { now: 0 };
  const validated = validateOptions({ maxSeconds: 0.5 });
  const budget = createBudget(validated, () => clock.now);
  return drive(checkProcess(new ClockedAffine(clock, 0.025), validated, () => clock.now, budget), false, budget) as GradientReport;
}

/** How each output is made. */
const GENERATORS: Record<string, () => string | Promise<string>> = {
  /** examples/vitest-typescript run by Vitest with the bug test's `.not` removed. */
  'vitest-dense': async () => (await vitestRun('vitest-dense', { 'dense.test.ts': withoutNot(readFileSync(join(example, 'dense.test.ts'), 'utf8')) }, 'dense.test.ts')).output,
  /** An async layer checked without `await`. */
  'vitest-unawaited': async () => (await vitestRun('vitest-unawaited', { 'unawaited.test.ts': UNAWAITED_TEST }, 'unawaited.test.ts')).output,
  /** tsc on examples/vitest-typescript without its types line. */
  'tsc-missing-types': async () => (await tscWithoutTypes()).output,
  'report-residual-transposed': () => formatReport(checkGradients(bugOf('residual-block', 'W1-grad-transposed'))),
  'report-every-tied-maximum': () => formatReport(checkGradients(bugOf('max-pool-ties', 'grad-to-every-tied-maximum'))),
  'report-inconclusive-float32': () => formatReport(checkGradients(new AffineLayer({ float32: true }), { epsilon: 1e-6 })),
  'report-projection': () => formatReport(checkGradients(new LargeDense({ inSize: 200, outSize: 150, batch: 2 }), { mode: 'projection' })),
  'report-time-guard': () => formatReport(onVirtualClock()),
  'report-nondeterministic': () => formatReport(checkGradients(new TrainingModeDropout())),
  'report-across-row-sum': () => formatAcrossReport(checkGradientsAcross((config) => rowSum(config, true), ROW_SUM_SPACE)),
  'report-sequence-norm': () =>
    formatReport(checkGradients(sequence(['dense', new Dense(4, 5)], ['tanh', new Tanh()], ['norm', new LayerNorm(5, 'input')], ['mse', new Mse(5)]), { input: batch })),
};

/** Output blocks checked by another test, where the output is already computed: id → that test. */
export const CHECKED_ELSEWHERE: Record<string, string> = {
  'npm run corpus': 'test/corpus/corpus.test.ts',
};

export const outputIds = (): string[] => Object.keys(GENERATORS);

const made = new Map<string, Promise<string>>();

/** The output of `id`, made once per test run. */
export function realOutput(id: string): Promise<string> {
  const generate = GENERATORS[id];
  if (generate === undefined) throw new Error(`no output '${id}': known are ${[...Object.keys(GENERATORS), ...Object.keys(CHECKED_ELSEWHERE)].join(', ')}`);
  if (!made.has(id)) made.set(id, Promise.resolve().then(generate));
  return made.get(id)!;
}

/** Runner timings at the end of a line (`✓ Dense has correct gradients 83ms`), trailing spaces. */
const normalize = (line: string): string => line.replace(/\s+\d+(\.\d+)?m?s$/, '').trimEnd();

/**
 * Where the quoted block departs from the real output, or null when every line of it is there in
 * order (see the file comment for `…`).
 */
export function quoteMismatch(quote: string, output: string): string | null {
  const real = output.split('\n').map(normalize);
  const lines = quote.split('\n').map(normalize);
  const matches = (pattern: string, line: string): boolean => {
    if (!pattern.includes('…')) return pattern === line;
    const parts = pattern.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('.*')}$`).test(line) || pattern === line;
  };
  let at = 0;
  let anchored = false;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '…') {
      anchored = false;
      continue;
    }
    if (anchored) {
      if (at < real.length && matches(line, real[at])) {
        at += 1;
        continue;
      }
      return `line ${index + 1} of the block, ${JSON.stringify(line)}, does not follow the line before it in the real output (there: ${JSON.stringify(real[at] ?? '(end)')})`;
    }
    // The first line of a run (the block's start, or after a `…` line) may be anywhere further on.
    let found = at;
    while (found < real.length && !matches(line, real[found])) found++;
    if (found === real.length) return `line ${index + 1} of the block, ${JSON.stringify(line)}, is not in the real output (after line ${at})`;
    at = found + 1;
    anchored = true;
  }
  return null;
}
