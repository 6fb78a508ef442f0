import * as tf from '@tensorflow/tfjs-core';

/**
 * A dense layer in TensorFlow.js, y = x·K + b, with its backward pass written by hand in tfjs ops:
 * dK = xᵀ·dy, db = dy summed over the batch, dx = dy·Kᵀ.
 * Shapes: x [batch, inputs], K [inputs, outputs], b [outputs].
 */
export class TfDense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    inputs: number,
    outputs: number,
    /** A classic bug, to see the matcher catch it: the kernel gradient doubled. */
    private readonly bug?: 'kernel-grad-times-2',
  ) {
    // Fixed values keep the example reproducible; tidy frees the initial tensors, the Variables stay.
    this.kernel = tf.tidy(() => tf.variable(tf.div(tf.sin(tf.reshape(tf.range(1, inputs * outputs + 1), [inputs, outputs])), 2)));
    this.bias = tf.tidy(() => tf.variable(tf.div(tf.cos(tf.range(1, outputs + 1)), 4)));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }

  backward(dy: tf.Tensor, x: tf.Tensor) {
    const dKernel = tf.matMul(x, dy, true, false);
    return {
      grads: { kernel: this.bug === 'kernel-grad-times-2' ? tf.mul(dKernel, 2) : dKernel, bias: tf.sum(dy, 0) },
      input: tf.matMul(dy, this.kernel, false, true),
    };
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias]);
  }
}
