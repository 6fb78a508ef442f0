import { expect, test } from 'vitest';
import { Dense } from './dense';

test('Dense has correct gradients', () => {
  expect(new Dense(4, 3)).toHaveCorrectGradients();
});

// The other outcome, kept green with .not: remove the .not to see the report that names b[0], b[1], b[2].
test('a bias gradient taken from the first sample only is caught', () => {
  expect(new Dense(4, 3, 'bias-first-sample')).not.toHaveCorrectGradients();
});
