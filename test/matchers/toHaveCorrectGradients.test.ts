import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ScaleLayer } from '../zoo/protocol/scale.js';
import { TrainingModeDropout, UpstreamMutating } from '../zoo/protocol/misbehaving.js';
import { Scale } from '../zoo/protocol/weight-scale.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import { AsyncAffine } from '../zoo/hostile/layers.js';
import { jestMatchers } from '../../src/matchers/index.js';

/** Runs an assertion that must fail and returns the thrown error. */
function failureOf(assertion: () => void): Error & { actual?: unknown; expected?: unknown } {
  try {
    assertion();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the assertion passed');
}

/** The `label: value` lines the matcher hands the runner as `actual` / `expected`. */
function parseDiffLines(text: unknown): Map<string, number> {
  expect(typeof text).toBe('string');
  return new Map((text as string).split('\n').map((line) => [line.slice(0, line.lastIndexOf(': ')), Number(line.slice(line.lastIndexOf(': ') + 2))]));
}

// Vitest colours the hint line; compare text without escape codes.
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('toHaveCorrectGradients under Vitest', () => {
  it('passes a correct layer, in both call forms', () => {
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(new ScaleLayer()).toHaveCorrectGradients('auto', 1e-6);
    expect(new ScaleLayer()).toHaveCorrectGradients(1e-4);
    expect(new ScaleLayer()).toHaveCorrectGradients({ seed: 7, tolerance: 1e-5 });
  });

  it('fails a buggy layer naming the entries, with a diff of only the failing ones', () => {
    const error = failureOf(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients());
    const lines = plain(error.message).split('\n');
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe("Expected the layer's backward pass to match central finite differences.");
    expect(lines).toContain(
      '6 of 18 gradient entries disagree, in 1 of 3 tensors (seed 42, float64 defaults (epsilon auto = 6.1e-6·max(1, |θ|), tolerance 1e-6), Richardson).',
    );
    expect(lines.find((l) => l.trimStart().startsWith('w '))).toMatch(/6 of 6 wrong +normalized error 0\.3333 \(bug\)/);
    expect(lines.find((l) => l.trimStart().startsWith('w[4]'))).toMatch(/analytic +4\.932 +numeric +2\.466 ±\d\.\d\de-\d+ +error +2\.466 +allowed 4\.93e-6$/);
    // Too large by 2 is a bug to fix: conventions average, so no gradientFactor is suggested.
    expect(lines).toContain('  w: analytic ≈ 2 × numeric: a factor 2 too large (a term counted twice, or a missing division by 2?)');
    expect(error.message).not.toContain('gradientFactor');
    // Lines of text in position order: runners sort the keys of objects and Maps as text before diffing.
    const actual = parseDiffLines(error.actual);
    const expected = parseDiffLines(error.expected);
    expect([...actual.keys()]).toEqual(['w[0]', 'w[1]', 'w[2]', 'w[3]', 'w[4]', 'w[5]']);
    expect(actual.get('w[4]')).toBeCloseTo(2 * expected.get('w[4]')!, 8);
  });

  it('says when the diff holds only the worst of more failing entries', () => {
    const error = failureOf(() => expect(new AffineLayer({ bug: 'weight-times-2' })).toHaveCorrectGradients());
    expect(plain(error.message)).toContain('The diff shows the 10 worst of the 12 failing entries.');
    expect(parseDiffLines(error.actual).size).toBe(10);
    const few = failureOf(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients());
    expect(plain(few.message)).not.toContain('The diff shows');
  });

  it('hands the runner positions in numeric order (w[2] before w[10]), and no diff when no entry fails', () => {
    const error = failureOf(() => expect(new Scale(2, 12)).toHaveCorrectGradients({ mode: 'exhaustive' }));
    const order = [...parseDiffLines(error.actual).keys()].map((label) => Number(/\[(\d+)\]/.exec(label)![1]));
    expect(order).toHaveLength(10);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toContain(10);
    // Fails on a problem alone (backward changes its upstream gradient): nothing to diff, so no empty diff.
    const problem = failureOf(() => expect(new UpstreamMutating()).toHaveCorrectGradients());
    expect(problem.actual).toBeUndefined();
    expect(problem.expected).toBeUndefined();
    expect(plain(problem.message)).toMatch(/The layer fails the check on a problem/);
  });

  it('names a sign flip as the likely cause', () => {
    const error = failureOf(() => expect(new ScaleLayer({ dwFactor: -1 })).toHaveCorrectGradients());
    expect(plain(error.message)).toContain('  w: analytic = −numeric: a sign flip?');
  });

  it('with .not, fails a correct layer saying so and giving the worst error', () => {
    const error = failureOf(() => expect(new ScaleLayer()).not.toHaveCorrectGradients());
    const message = plain(error.message);
    expect(message.split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(message).toContain("Expected the layer's gradients to disagree with finite differences, but they agree.");
    expect(message).toMatch(/Worst normalized error \d\.\d\de-\d+ in '\w+' \(overall/);
    expect(error.actual).toBeUndefined();
  });

  it('with .not, passes a buggy layer', () => {
    expect(new ScaleLayer({ dwFactor: 2 })).not.toHaveCorrectGradients();
  });

  it('works without a matcher context (Jest before 27 calls asymmetric matchers with no this)', () => {
    const bare = jestMatchers.toHaveCorrectGradients as unknown as (this: undefined, received: unknown) => { pass: boolean; message(): string };
    expect(bare.call(undefined, new ScaleLayer()).pass).toBe(true);
    const failed = bare.call(undefined, new ScaleLayer({ dwFactor: 2 }));
    expect(failed.pass).toBe(false);
    expect(failed.message().split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(failed.message()).toContain('6 of 18 gradient entries disagree');
    expect(() => bare.call(undefined, 42)).toThrow(/Matcher error/);
  });

  it('throws a matcher error for a non-layer, with and without .not', () => {
    for (const run of [() => expect({}).toHaveCorrectGradients(), () => expect(42).not.toHaveCorrectGradients()]) {
      const message = plain(failureOf(run).message);
      expect(message).toContain('Matcher error:');
      expect(message).toMatch(/Received has type: +(Object|Number)/);
    }
  });

  it('throws a matcher error for bad options, naming the argument', () => {
    expect(plain(failureOf(() => expect(new ScaleLayer()).toHaveCorrectGradients(Number.NaN)).message)).toContain('Epsilon has value: NaN');
    expect(plain(failureOf(() => expect(new ScaleLayer()).toHaveCorrectGradients(1e-4, -1)).message)).toContain('Tolerance has value: -1');
    expect(plain(failureOf(() => expect(new ScaleLayer()).toHaveCorrectGradients({ tolerence: 1 } as never)).message)).toContain(
      "Unknown option 'tolerence'",
    );
    expect(() => expect(new ScaleLayer()).toHaveCorrectGradients({ seed: 1 } as never, 1e-3 as never)).toThrow(/pass tolerance inside it/);
  });

  it('cannot pass .not when the check is impossible', () => {
    expect(() => expect(new TrainingModeDropout()).not.toHaveCorrectGradients()).toThrow(/could not be checked/);
    expect(() => expect(new TrainingModeDropout()).toHaveCorrectGradients()).toThrow(/deterministic forward/);
  });

  it('works with expect.soft and as an asymmetric matcher', () => {
    expect({ layer: new ScaleLayer() }).toEqual({ layer: expect.toHaveCorrectGradients() });
    expect({ layer: new ScaleLayer({ dwFactor: 3 }) }).not.toEqual({ layer: expect.toHaveCorrectGradients() });
    expect.soft(new ScaleLayer()).toHaveCorrectGradients();
  });

  it('is typed as a Promise for async layers and as the runner\'s own type for sync ones (tsc checks these lines)', async () => {
    const pending: Promise<void> = expect(new AsyncAffine()).toHaveCorrectGradients();
    await pending;
    // @ts-expect-error a sync layer's matcher is not a Promise
    const notPending: Promise<void> = expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(notPending).not.toBeInstanceOf(Promise);
  });

  it('checks a Promise of a layer through .resolves, and a layer from expect.poll, typed with no arguments too (tsc checks these lines)', async () => {
    const resolved: Promise<void> = expect(Promise.resolve(new ScaleLayer())).resolves.toHaveCorrectGradients();
    await resolved;
    await expect(Promise.resolve(new ScaleLayer({ dwFactor: 3 }))).resolves.not.toHaveCorrectGradients();
    await expect(Promise.resolve(new AsyncAffine())).resolves.toHaveCorrectGradients();
    const failing = expect(Promise.resolve(new ScaleLayer({ dwFactor: 3 }))).resolves.toHaveCorrectGradients();
    const message = await failing.then(
      () => 'passed',
      (error: Error) => stripVTControlCharacters(error.message),
    );
    expect(message).toMatch(/^expect\(layer\)\.resolves\.toHaveCorrectGradients\(\)$/m);
    expect(message).toContain('6 of 18 gradient entries disagree, in 1 of 3 tensors');
    const polled: Promise<void> = expect.poll(() => new ScaleLayer()).toHaveCorrectGradients();
    await polled;
    await expect.poll(() => new ScaleLayer({ dwFactor: 3 })).not.toHaveCorrectGradients({ seed: 3 });
  });
});
