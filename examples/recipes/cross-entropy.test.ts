import { inputs } from 'expect-gradcheck';
import { expect, test } from 'vitest';
import { SoftmaxCrossEntropy } from './cross-entropy';

test('SoftmaxCrossEntropy has correct gradients for its logits', () => {
  const logits = [[0.2, -1.3, 0.8, 0.1], [1.5, 0.4, -0.6, 0.0], [-0.7, 0.9, 0.3, 2.1]];
  const labels = [2, 0, 3];
  // Two inputs, forward(logits, labels); backward's null for the labels leaves them unchecked.
  expect(new SoftmaxCrossEntropy()).toHaveCorrectGradients({ input: inputs(logits, labels) });
});
