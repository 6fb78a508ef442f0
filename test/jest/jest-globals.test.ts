/**
 * The same matcher through `import { expect } from '@jest/globals'`, typed by the
 * `declare module 'expect'` augmentation in src/jest.ts rather than by @types/jest.
 */
import { describe, expect, test } from '@jest/globals';
import { thrownMessage } from '../helpers/assertion-messages';
import { Scale } from '../zoo/protocol/weight-scale';

describe("toHaveCorrectGradients under Jest (expect from '@jest/globals')", () => {
  test('a correct layer passes; .not on it fails saying they agree', () => {
    expect(new Scale()).toHaveCorrectGradients();
    expect(new Scale()).toHaveCorrectGradients({ tolerance: 1e-7 });
    expect(thrownMessage(() => expect(new Scale()).not.toHaveCorrectGradients())).toContain('but they agree.');
  });

  test('a buggy layer fails with the wrong entries, the worst-entries list and the diff', () => {
    const message = thrownMessage(() => expect(new Scale(2)).toHaveCorrectGradients(1e-5, 1e-6));
    expect(message.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients(epsilon, tolerance)');
    expect(message).toContain('Worst entries:');
    expect(message).toMatch(/^\s+w\[1\]\s+analytic/m);
    expect(message).toMatch(/^- w\[1\]: -?\d/m);
    expect(message).toMatch(/^\+ w\[1\]: -?\d/m);
  });

  test('non-layers and bad options are Matcher errors, also under .not', () => {
    expect(() => expect({}).not.toHaveCorrectGradients()).toThrow('Matcher error');
    expect(() => expect(42).toHaveCorrectGradients()).toThrow('Matcher error');
    expect(() => expect(new Scale()).not.toHaveCorrectGradients({ epsilon: NaN })).toThrow('Matcher error');
  });
});

/** Never called: `npm run typecheck` proves wrong calls are type errors through '@jest/globals'. */
export function typeOnly(layer: Scale): void {
  expect(layer).toHaveCorrectGradients(1e-5);
  expect(layer).not.toHaveCorrectGradients({ seed: 1, dtype: 'float32' });
  // @ts-expect-error epsilon is a number or 'auto'
  expect(layer).toHaveCorrectGradients('big');
  // @ts-expect-error tolerance is a number
  expect(layer).toHaveCorrectGradients(1e-5, 'x');
  // @ts-expect-error unknown option key
  expect(layer).toHaveCorrectGradients({ epsilonn: 1 });
}
