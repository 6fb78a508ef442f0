import { expect, test } from 'vitest';
import { Conv2d } from './conv2d';

test('Conv2d (3 × 3 kernel, stride 2, padding 1) has correct gradients', () => {
  // No input given: the check draws one of conv.inputShape ([2, 2, 5, 5]) from its seed.
  expect(new Conv2d(2, 3)).toHaveCorrectGradients();
});
