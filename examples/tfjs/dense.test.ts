import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fromTfjs } from 'expect-gradcheck';
import { expect, test } from 'vitest';
import { TfDense } from './dense';

/** The layer as the checker sees it: its Variables, its forward and backward, an input, read back with await data(). */
function checked(dense: TfDense) {
  return fromTfjs(tf, {
    variables: { kernel: dense.kernel, bias: dense.bias }, // reported as kernel[i,j], bias[j]
    forward: (x) => dense.forward(x), // tensor in, tensor out (inside tf.tidy)
    backward: (dy, x) => dense.backward(dy, x), // returns { grads: { kernel, bias }, input? }
    // a tensor, nested arrays or { data, shape }
    input: [
      [0.5, -1.2, 0.8],
      [1.5, 0.3, -0.6],
    ],
    readback: 'async', // await data(); 'sync' (the default) uses dataSync()
  });
}

test('TfDense has correct gradients', async () => {
  const dense = new TfDense(3, 2);
  await expect(checked(dense)).toHaveCorrectGradients();
  dense.dispose();
});

// The other outcome, kept green with .not: remove the .not to see the report that names every kernel entry.
test('a doubled kernel gradient is caught', async () => {
  const dense = new TfDense(3, 2, 'kernel-grad-times-2');
  await expect(checked(dense)).not.toHaveCorrectGradients();
  dense.dispose();
});
