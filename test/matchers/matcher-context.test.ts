/**
 * Runners whose matcher context differs from Jest's and Vitest's. Bun 1.4's `this.utils` (as a Bun
 * test printed it) has matcherHint, printReceived, printExpected, RECEIVED_COLOR and stringify, no
 * diff and no printWithType, and its matcherHint prints its arguments as values on lines below the
 * hint. The consumer matrix runs the packed package under `bun test` itself.
 */
import { describe, expect, it } from 'vitest';
import { completeUtils, plainUtils, type MatcherUtilsLike } from '../../src/matchers/matcher-context.js';
import { createToHaveCorrectGradients } from '../../src/matchers/toHaveCorrectGradients.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';

/** What Bun 1.4's matcher context holds: no diff, no printWithType, a hint spread over lines. */
const bunLikeUtils = {
  RECEIVED_COLOR: (text: string) => text,
  printReceived: (value: unknown) => JSON.stringify(value),
  printExpected: (value: unknown) => JSON.stringify(value),
  matcherHint: (name: string, received = 'received', expected = '') => `${name}\n\nExpected: "${expected}"\nReceived: "${received}"`,
} as unknown as Partial<MatcherUtilsLike>;

describe('completeUtils', () => {
  it('takes the plain helpers when the runner gives none', () => {
    expect(completeUtils(undefined)).toBe(plainUtils);
  });

  it('fills the helpers Bun lacks and replaces a hint that spans lines with the one-line hint', () => {
    const utils = completeUtils(bunLikeUtils);
    expect(utils.matcherHint('toHaveCorrectGradients', 'layer', '')).toBe(plainUtils.matcherHint('toHaveCorrectGradients', 'layer', ''));
    expect(utils.matcherHint('toHaveCorrectGradients', 'layer', '')).not.toContain('\n');
    expect(utils.printWithType('Received', 3, String)).toBe('Received has value: 3');
    expect(utils.diff('a: 1\nb: 2', 'a: 1\nb: 4')).toContain('+ b: 4');
    expect(utils.printReceived('x')).toBe('"x"');
  });

  it('binds a runner helper to its own object, as a method that reads `this` needs', () => {
    const own = {
      prefix: '>',
      printReceived(this: { prefix: string }, value: unknown) {
        return `${this.prefix}${String(value)}`;
      },
    };
    expect(completeUtils(own as unknown as Partial<MatcherUtilsLike>).printReceived(1)).toBe('>1');
  });

  it('lets the matcher fail a wrong layer under a Bun-like context with the entries named and a diff drawn', () => {
    const matcher = createToHaveCorrectGradients({ diffInMessage: true, plainText: false });
    const context = { utils: bunLikeUtils, isNot: false };
    const result = matcher.call(context as never, new ScaleLayer({ dwFactor: 2 }));
    if (result instanceof Promise) throw new Error('a sync layer gives a sync result');
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message.split('\n')[0]).toMatch(/^expect\(layer\)\.toHaveCorrectGradients\(/);
    expect(message).toMatch(/w\[\d\]/);
    expect(matcher.call(context as never, new ScaleLayer()) as { pass: boolean }).toMatchObject({ pass: true });
  });
});
