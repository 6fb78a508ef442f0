import { expect, test } from 'vitest';
import { Dense } from './dense.js';

test('Dense has correct gradients', () => {
  expect(new Dense(4, 3)).toHaveCorrectGradients();
});

// The other outcome, kept green with .not; its report (verdict "fail") is written too.
test('a bias gradient taken from the first sample only is caught', () => {
  expect(new Dense(4, 3, { bug: 'bias-first-sample' })).not.toHaveCorrectGradients();
});
