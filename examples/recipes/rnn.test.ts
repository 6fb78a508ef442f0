import { expect, test } from 'vitest';
import { SimpleRNN } from './rnn';

test('SimpleRNN has correct gradients through 3 time steps', () => {
  // Its parameter gradients are means over the batch of 2: declare that convention, or every one
  // of them fails as half the true gradient (and the report suggests this very option).
  expect(new SimpleRNN(3, 4)).toHaveCorrectGradients({ gradientFactor: 1 / 2 });
});
