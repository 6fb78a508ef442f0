import { describe, expect, it } from 'vitest';
import { plainDiff } from '../../src/matchers/plain-diff.js';

describe('plainDiff', () => {
  it('pairs line i with line i, as the matcher lists the same entries on both sides, under the two annotations', () => {
    const drawn = plainDiff('w[0]: 1\nw[1]: 2\nb[0]: 3', 'w[0]: 1\nw[1]: 4\nb[0]: 6', { aAnnotation: 'Numeric', bAnnotation: 'Analytic' });
    expect(drawn).toBe(['- Numeric', '+ Analytic', '', '  w[0]: 1', '- w[1]: 2', '+ w[1]: 4', '- b[0]: 3', '+ b[0]: 6'].join('\n'));
  });

  it('shows lines only one side has, and draws nothing for values that are not text', () => {
    expect(plainDiff('a: 1', 'a: 1\nb: 2')).toBe(['- Expected', '+ Received', '', '  a: 1', '+ b: 2'].join('\n'));
    expect(plainDiff({ a: 1 }, 'a: 1')).toBeNull();
  });
});
