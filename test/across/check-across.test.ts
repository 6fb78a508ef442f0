/**
 * Checks across shapes: planted shape-dependent bugs are found and shrunk to their smallest
 * failing configuration, correct layers pass across the whole space, and what a search could not
 * reach is never a pass. Sync and async layers run the same search.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/across/across-types.js';
import { fastCheckModule } from '../../src/across/arbitrary-search.js';
import { candidateGrid } from '../../src/across/candidate-space.js';
import { checkGradientsAcross, checkGradientsAcrossAsync, runGradientSearch } from '../../src/across/check-across.js';
import { gridSearch, shrinkGrid } from '../../src/across/grid-search.js';
import { runConfig, startRun } from '../../src/across/run-config.js';
import { driveSearch } from '../../src/across/search-process.js';
import { searchSettings } from '../../src/across/search-settings.js';
import { AsyncLayerError } from '../../src/check/check-gradients.js';
import { OptionsError } from '../../src/check/options.js';
import type { Layer } from '../../src/layer/protocol.js';
import { formatAcrossReport } from '../../src/report/format-across.js';
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state.js';
import { SaturatedActivation } from '../zoo/nasty/saturated-everywhere.js';
import { shapeCase, shapeCases } from '../zoo/shapes/index.js';

const configs = (result: { tried: { config: Config }[] }): string[] => result.tried.map((t) => JSON.stringify(t.config));

/** The same layer with forward and backward answering through Promises. */
function asAsync(built: ReturnType<(typeof shapeCases)[number]['build']>): unknown {
  if (built === null) return null;
  const { layer, input } = built as { layer: Layer; input: unknown };
  const source = layer as unknown as Record<string, unknown> & { forward(x: unknown): unknown; backward(g: unknown): unknown };
  const wrapped = Object.create(source) as Record<string, unknown>;
  wrapped.forward = async (x: unknown) => source.forward(x);
  wrapped.backward = async (g: unknown) => source.backward(g);
  return { layer: wrapped, input };
}

describe('planted shape-dependent bugs', () => {
  it.each(shapeCases.map((c) => [c.name, c] as const))('%s: the correct layer passes across the whole space', (_name, shape) => {
    const result = checkGradientsAcross((config) => shape.build(config, false), shape.space);
    expect(result.verdict).toBe('pass');
    expect(result.explored).toBe(result.spaceSize);
    expect(result.tried.every((t) => t.verdict === 'pass')).toBe(true);
  });

  it.each(shapeCases.map((c) => [c.name, c] as const))('%s: the bug is found and shrunk to its smallest failing configuration', (_name, shape) => {
    const result = checkGradientsAcross((config) => shape.build(config, true), shape.space);
    expect(result.verdict).toBe('fail');
    expect(result.counterexample?.config).toEqual(shape.smallest);
    expect(result.counterexample?.minimal).toBe(true);
    expect(result.counterexample?.report?.verdict).toBe('fail');
    const text = formatAcrossReport(result);
    expect(text.split('\n')[0]).toMatch(/^Smallest failing configuration: \{ .* \}, found among \d+ of \d+ configurations \(seed 42, \d+ calls into the layers\)\.$/);
    expect(text).toContain(`The check at {`);
  });

  it('a failure first met off the smallest shrinks diagonally: 4 × 4 → 3 × 3 → 2 × 2, where rows and cols alone cannot move', () => {
    const shape = shapeCase('broadcast-sum');
    const grid = candidateGrid(shape.space);
    const run = startRun((config) => shape.build(config, true), searchSettings({}), () => 0);
    const start = runConfig(run, { rows: 4, cols: 4 });
    expect(start).toMatchObject({ kind: 'checked' });
    const found = driveSearch(shrinkGrid(grid, { point: [3, 3], outcome: start as never }), run) as { config: Config; minimal: boolean; path: Config[] };
    expect(found.config).toEqual({ rows: 2, cols: 2 });
    expect(found.minimal).toBe(true);
    expect(found.path).toEqual([
      { rows: 4, cols: 4 },
      { rows: 3, cols: 3 },
      { rows: 2, cols: 2 },
    ]);
  });

  it('async layers run the same search, with the same configurations and the same verdicts', async () => {
    for (const shape of shapeCases) {
      for (const buggy of [false, true]) {
        const sync = checkGradientsAcross((config) => shape.build(config, buggy), shape.space);
        const pending = checkGradientsAcrossAsync((config) => asAsync(shape.build(config, buggy)) as never, shape.space);
        const async = await pending;
        expect(async.verdict).toBe(sync.verdict);
        expect(configs(async)).toEqual(configs(sync));
        expect(async.counterexample?.config).toEqual(sync.counterexample?.config);
      }
    }
    // The sync entry refuses an async layer, and says what to call.
    const shape = shapeCases[0];
    expect(() => checkGradientsAcross((config) => asAsync(shape.build(config, false)) as never, shape.space)).toThrow(AsyncLayerError);
  });

  it('an async builder is awaited', async () => {
    const shape = shapeCase('dense-batch-one');
    const result = await checkGradientsAcrossAsync(async (config) => shape.build(config, true), shape.space);
    expect(result.counterexample?.config).toEqual(shape.smallest);
  });
});

describe('what a search cannot reach is never a pass', () => {
  it('a configuration whose check is inconclusive is listed, not counted: the search is inconclusive', () => {
    // float32 sigmoid deep in saturation with epsilon 1e-6 resolves nothing; the float64 tanh does.
    const result = checkGradientsAcross(
      (config) => new SaturatedActivation(config.dtype as 'float32' | 'float64', config.dtype === 'float32' ? 'sigmoid' : 'tanh'),
      { dtype: ['float64', 'float32'] },
      { epsilon: 1e-6 },
    );
    expect(result.verdict).toBe('inconclusive');
    expect(result.tried.map((t) => t.verdict).sort()).toEqual(['inconclusive', 'pass']);
    const text = formatAcrossReport(result);
    expect(text).toContain('Configurations whose check reached no verdict (not counted as passing):');
    expect(text).toMatch(/\{ dtype: "float32" \}: inconclusive \(/);
  });

  it('a space whose every configuration is skipped by build (null) checks nothing and is inconclusive', () => {
    const result = checkGradientsAcross(() => null, { n: [1, 2, 3] });
    expect(result.verdict).toBe('inconclusive');
    expect(result.explored).toBe(0);
    expect(result.tried.map((t) => t.verdict)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(formatAcrossReport(result)).toMatch(/^Inconclusive: no configuration was checked/);
  });

  it('the time guard makes an unfinished search inconclusive; the plan in calls is the same on every machine', () => {
    const shape = shapeCase('dense-batch-one');
    let now = 0;
    // A clock that runs 1 s per reading: the guard of 5 s trips after a few checks.
    const slow = runGradientSearch((config) => shape.build(config, false), shape.space, { maxSeconds: 5 }, () => now++);
    expect(slow).toMatchObject({ verdict: 'inconclusive', stop: 'max-seconds' });
    const fast = runGradientSearch((config) => shape.build(config, false), shape.space, {}, () => 0);
    const again = runGradientSearch((config) => shape.build(config, false), shape.space, {}, () => 0);
    expect(configs(fast as never)).toEqual(configs(again as never));
  });

  it('the budget of calls bounds the whole search, the shrinking included', () => {
    const shape = shapeCase('broadcast-sum');
    for (const maxEvaluations of [800, 3000, 10_000]) {
      const result = checkGradientsAcross((config) => shape.build(config, true), shape.space, { maxEvaluations });
      expect(result.evaluations).toBeLessThanOrEqual(maxEvaluations);
    }
    // Too small a budget for the first check: nothing was checked, so no pass.
    expect(checkGradientsAcross((config) => shape.build(config, false), shape.space, { maxEvaluations: 50 }).verdict).toBe('inconclusive');
  });
});

describe('layers that throw, and hostile builders', () => {
  it('a layer that throws only at batch size 1 fails there, named with its error', () => {
    const shape = shapeCase('dense-batch-one');
    const result = checkGradientsAcross((config) => {
      const built = shape.build(config, false) as { layer: Layer; input: number[][] };
      if (config.batch !== 1) return built;
      const layer = built.layer as unknown as { forward(x: unknown): unknown };
      layer.forward = () => {
        throw new RangeError('squeeze: batch of one');
      };
      return built;
    }, shape.space);
    expect(result.verdict).toBe('fail');
    expect(result.counterexample).toMatchObject({ config: { batch: 1, in: 1, out: 1 }, report: null, error: 'RangeError: squeeze: batch of one' });
    expect(formatAcrossReport(result)).toContain('The layer threw: RangeError: squeeze: batch of one');
  });

  it('one layer object reused for every configuration is left exactly as it was after each check', () => {
    const shape = shapeCase('strided-conv-same');
    const layer = (shape.build({ width: 4, kernel: 3 }, false) as { layer: Layer }).layer;
    const before = captureDeepState(layer);
    const result = checkGradientsAcross((config) => ({ layer, input: Array.from({ length: config.width as number }, (_, i) => Math.sin(i + 1)) }), { width: [1, 2, 3, 4, 5] });
    expect(result.verdict).toBe('pass');
    expect(result.explored).toBe(5);
    expectSameDeepState(before, captureDeepState(layer));
  });

  it('usage errors name what to fix and end the search at once', () => {
    const shape = shapeCase('dense-batch-one');
    const build = (config: Config): ReturnType<typeof shape.build> => shape.build(config, false);
    expect(() => checkGradientsAcross('dense' as never, shape.space)).toThrow(/The first argument must be a function config => layer/);
    expect(() => checkGradientsAcross(build, [1, 2] as never)).toThrow(/The space must be a record of candidate lists/);
    expect(() => checkGradientsAcross(build, shape.space, { input: [[1]] } as never)).toThrow(/Return it from build: \(config\) => \(\{ layer, input \}\)/);
    expect(() => checkGradientsAcross(build, shape.space, { maxEvaluations: -1 })).toThrow(OptionsError);
    expect(() => checkGradientsAcross(build, shape.space, { epsilon: 'big' as never })).toThrow(/epsilon must be 'auto'/);
    // A builder that returns no layer at all is a usage error at that configuration.
    expect(() => checkGradientsAcross(() => ({ forward: 1 }) as never, { n: [1, 2] })).toThrow(/^At \{ n: 1 \}: The layer has no forward\(\) method/);
  });
});

describe('a fast-check Arbitrary space', () => {
  it('is searched with fast-check\'s own generation and shrinking', () => {
    const shape = shapeCase('dense-batch-one');
    const space = fc.record({ batch: fc.integer({ min: 1, max: 6 }), in: fc.integer({ min: 1, max: 3 }), out: fc.integer({ min: 1, max: 3 }) });
    const buggy = checkGradientsAcross((config) => shape.build(config, true), space, { runs: 30 });
    expect(buggy.verdict).toBe('fail');
    expect(buggy.spaceKind).toBe('arbitrary');
    expect(buggy.counterexample?.config).toEqual(shape.smallest);
    const correct = checkGradientsAcross((config) => shape.build(config, false), space, { runs: 30 });
    expect(correct.verdict).toBe('pass');
    expect(correct.explored).toBeGreaterThan(5);
    expect(formatAcrossReport(correct)).toMatch(/^Every configuration checked passes: \d+ configurations generated by the Arbitrary/);
  });

  it('works with async layers, and with the module given explicitly', async () => {
    const shape = shapeCase('rnn-one-step');
    const space = fc.record({ steps: fc.integer({ min: 1, max: 4 }), hidden: fc.integer({ min: 1, max: 3 }) });
    const result = await checkGradientsAcrossAsync((config) => asAsync(shape.build(config, true)) as never, space, { runs: 20, fastCheck: fc as never });
    expect(result.counterexample?.config).toEqual(shape.smallest);
  });

  it('without fast-check installed, an Arbitrary space says how to provide it; candidate lists need nothing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-fast-check-'));
    expect(() => fastCheckModule(undefined, empty)).toThrow(`The space is a fast-check Arbitrary, but fast-check could not be loaded from ${empty}. Install it (npm i -D fast-check), or pass the module: { fastCheck: fc }`);
    expect(fastCheckModule(undefined, process.cwd())).toHaveProperty('check');
    expect(() => checkGradientsAcross(() => null, { n: [1] }, { fastCheck: {} as never })).toThrow(/fastCheck must be the fast-check module/);
  });

  it('the search is reproducible from its seed', () => {
    const shape = shapeCase('broadcast-sum');
    const space = fc.record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 5 }) });
    const first = checkGradientsAcross((config) => shape.build(config, false), space, { runs: 15, seed: 3 });
    const second = checkGradientsAcross((config) => shape.build(config, false), space, { runs: 15, seed: 3 });
    expect(configs(second)).toEqual(configs(first));
    // gridSearch is a process too: the same order from the same seed.
    const grid = candidateGrid(shape.space);
    const run = startRun((config) => shape.build(config, false), searchSettings({ seed: 3 }), () => 0);
    expect(driveSearch(gridSearch(grid, run), run)).toMatchObject({ explored: 16, counterexample: null });
  });
});
