/// <reference types="jest" />
/**
 * The matcher under Jest, loaded the way users load it (setupFilesAfterEnv: src/jest.ts) and used
 * through the global `expect` typed by @types/jest. Jest draws no diff for custom matchers, so
 * these tests check that the message itself carries one.
 */
import { thrownMessage } from '../helpers/assertion-messages';
import { Scale } from '../zoo/protocol/weight-scale';
import { AffineLayer } from '../zoo/hostile/affine-layer';
import { AsyncAffine, DropoutAffine } from '../zoo/hostile/layers';

/** Parses the `w[i]: value` lines of the drawn diff: `-` lines are numeric, `+` lines analytic. */
function diffValues(message: string, sign: '-' | '+'): Record<string, number> {
  const values: Record<string, number> = {};
  const line = new RegExp(`^\\${sign}\\s+([^:\\s]+): (\\S+)$`, 'gm');
  for (const [, label, value] of message.matchAll(line)) values[label] = Number(value);
  return values;
}

describe('toHaveCorrectGradients under Jest (global expect)', () => {
  test('a correct layer passes in every call form', () => {
    expect(new Scale()).toHaveCorrectGradients();
    expect(new Scale()).toHaveCorrectGradients('auto');
    expect(new Scale()).toHaveCorrectGradients(1e-4, 1e-6);
    expect(new Scale()).toHaveCorrectGradients({ seed: 7, tolerance: 1e-7 });
  });

  test('.not on a correct layer fails, saying the gradients agree', () => {
    const message = thrownMessage(() => expect(new Scale()).not.toHaveCorrectGradients());
    expect(message.split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(message).toContain("Expected the layer's gradients to disagree with finite differences, but they agree.");
    expect(message).toContain('All 6 gradient entries agree with finite differences (seed 42');
  });

  test('.not on a buggy layer passes', () => {
    expect(new Scale(2)).not.toHaveCorrectGradients();
  });

  test('a buggy layer fails; the message names the wrong entries and carries the diff', () => {
    const message = thrownMessage(() => expect(new Scale(2)).toHaveCorrectGradients());
    const lines = message.split('\n');
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(message).toContain('3 of 6 gradient entries disagree, in 1 of 2 tensors (seed 42');
    expect(message).toContain('Worst entries:');
    expect(lines.filter((line) => /^\s+w\[\d\]\s+analytic/.test(line)).map((line) => line.trim().split(' ')[0]).sort()).toEqual([
      'w[0]',
      'w[1]',
      'w[2]',
    ]);
    expect(message).toMatch(/^\s+w: analytic ≈ 2 × numeric/m);

    // The diff Jest would not draw by itself: annotations, then one -/+ line per wrong entry.
    expect(lines).toContain('- Numeric (finite differences)');
    expect(lines).toContain('+ Analytic (backward)');
    const numeric = diffValues(message, '-');
    const analytic = diffValues(message, '+');
    expect(Object.keys(numeric)).toEqual(['w[0]', 'w[1]', 'w[2]']);
    expect(Object.keys(analytic)).toEqual(['w[0]', 'w[1]', 'w[2]']);
    for (const label of ['w[0]', 'w[1]', 'w[2]']) {
      expect(analytic[label]).toBeCloseTo(2 * numeric[label], 9);
    }
    // Only entries that disagree appear: the correct input gradient is not in the diff.
    expect(message).not.toMatch(/^[-+]\s+input\[/m);
  });

  test('the diff lists positions in numeric order, not sorted as text', () => {
    const message = thrownMessage(() => expect(new Scale(2, 12)).toHaveCorrectGradients({ mode: 'exhaustive' }));
    const labels = Object.keys(diffValues(message, '+'));
    expect(labels).toHaveLength(10);
    // The 10 worst of 12 failing entries, printed in position order: w[2] before w[10].
    const order = labels.map((label) => Number(/\[(\d+)\]/.exec(label)![1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toContain(10);
    expect(order.some((i) => i < 10 && i >= 2)).toBe(true);
  });

  test.each([
    ['{}', {}],
    ['42', 42],
    ['null', null],
  ])('a non-layer (%s) is a Matcher error, with and without .not', (name, received) => {
    const plain = thrownMessage(() => expect(received).toHaveCorrectGradients());
    const negated = thrownMessage(() => expect(received).not.toHaveCorrectGradients());
    expect(plain).toContain('Matcher error: ');
    expect(negated).toContain('Matcher error: ');
    expect(plain.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(negated.split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(negated).toContain(`Received has value: ${name}`);
    expect(() => expect(received).not.toHaveCorrectGradients()).toThrow(TypeError);
  });

  test('epsilon NaN is a Matcher error, positional or in options, with and without .not', () => {
    const layer = new Scale();
    expect(() => expect(layer).toHaveCorrectGradients(NaN)).toThrow("Matcher error: epsilon must be 'auto' or a finite number > 0, but got NaN.");
    expect(() => expect(layer).not.toHaveCorrectGradients(NaN)).toThrow('Matcher error: epsilon must be');
    expect(() => expect(layer).toHaveCorrectGradients({ epsilon: NaN })).toThrow('Matcher error: epsilon must be');
    expect(thrownMessage(() => expect(layer).toHaveCorrectGradients(NaN))).toMatch(/^\w+ has value: NaN$/m);
  });

  test('an unknown option key is a Matcher error, with and without .not', () => {
    const options = { epsilonn: 1e-4 } as unknown as { epsilon: number };
    expect(() => expect(new Scale()).toHaveCorrectGradients(options)).toThrow("Matcher error: Unknown option 'epsilonn'.");
    expect(() => expect(new Scale(2)).not.toHaveCorrectGradients(options)).toThrow("Matcher error: Unknown option 'epsilonn'.");
  });

  test('a negative tolerance is a Matcher error', () => {
    expect(() => expect(new Scale()).toHaveCorrectGradients(1e-4, -1)).toThrow('Matcher error: tolerance must be a finite number ≥ 0');
  });

  test('an inconclusive check fails with the cause and remedy, and .not throws', () => {
    const layer = new AffineLayer({ float32: true, bug: 'weight-times-2' });
    const message = thrownMessage(() => expect(layer).toHaveCorrectGradients(1e-6));
    expect(message.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients(epsilon)');
    expect(message).toContain('could not resolve every significant gradient, so it can claim neither.');
    expect(message).toContain("use epsilon: 'auto'");
    expect(message).not.toContain('- Numeric (finite differences)');
    expect(thrownMessage(() => expect(layer).not.toHaveCorrectGradients(1e-6))).toContain(
      "Expected the layer's gradients to disagree with finite differences, but the check could not resolve every significant gradient",
    );
  });

  test('a nondeterministic forward is impossible: the assertion fails and .not throws', () => {
    expect(thrownMessage(() => expect(new DropoutAffine(0.5)).toHaveCorrectGradients())).toContain('no verdict could be reached');
    expect(() => expect(new DropoutAffine(0.5)).not.toHaveCorrectGradients()).toThrow(/deterministic forward/);
  });

  test('an async layer gets an awaited matcher, typed as a Promise', async () => {
    const pending: Promise<void> = expect(new AsyncAffine()).toHaveCorrectGradients();
    await pending;
    await expect(new AsyncAffine({ bug: 'weight-times-2' })).not.toHaveCorrectGradients();
    // @ts-expect-error a sync layer's matcher is not a Promise
    const notPending: Promise<void> = expect(new Scale()).toHaveCorrectGradients();
    expect(notPending).toBeUndefined();
  });

  test('a Promise of a layer is checked through .resolves, typed with no arguments too', async () => {
    const resolved: Promise<void> = expect(Promise.resolve(new Scale())).resolves.toHaveCorrectGradients();
    await resolved;
    await expect(Promise.resolve(new Scale(2))).resolves.not.toHaveCorrectGradients();
    await expect(Promise.resolve(new AsyncAffine())).resolves.toHaveCorrectGradients();
    const failing = expect(Promise.resolve(new Scale(2))).resolves.toHaveCorrectGradients();
    await expect(failing).rejects.toThrow(/w\[1\]\s+analytic\s+-3\.78/);
  });
});
