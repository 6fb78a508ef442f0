/**
 * A dense layer over a batch of rows, y = x·W + b, with its backward pass written by hand:
 * dW = xᵀ·dy, db = dy summed over the batch, dx = dy·Wᵀ.
 * Shapes: x [batch][inputs], W [inputs][outputs] (row-major), b [outputs].
 * `bug: 'bias-first-sample'` is a classic mistake, to see the matcher catch it.
 */
export class Dense {
  constructor(inputs, outputs, { bug } = {}) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.bug = bug;
    // Fixed values keep the example reproducible; any finite values work.
    this.params = {
      W: Float64Array.from({ length: inputs * outputs }, (_, i) => Math.sin(i + 1) / 2),
      b: Float64Array.from({ length: outputs }, (_, o) => Math.cos(o + 1) / 4),
    };
    this.grads = { W: new Float64Array(inputs * outputs), b: new Float64Array(outputs) };
    this.x = [];
  }

  /** The input the gradients are checked at: a batch of 2. */
  sampleInput() {
    return [0, 1].map((n) => Array.from({ length: this.inputs }, (_, i) => Math.sin(3 * n + i + 0.5)));
  }

  forward(x) {
    this.x = x.map((row) => [...row]);
    const { W, b } = this.params;
    return x.map((row) => Array.from({ length: this.outputs }, (_, o) => row.reduce((sum, v, i) => sum + v * W[i * this.outputs + o], b[o])));
  }

  backward(dy) {
    const { W } = this.params;
    const { W: dW, b: db } = this.grads;
    dW.fill(0);
    db.fill(0);
    this.x.forEach((row, n) => {
      for (let o = 0; o < this.outputs; o++) {
        if (n === 0 || this.bug !== 'bias-first-sample') db[o] += dy[n][o];
        row.forEach((v, i) => (dW[i * this.outputs + o] += v * dy[n][o]));
      }
    });
    return dy.map((g) => Array.from({ length: this.inputs }, (_, i) => g.reduce((sum, gv, o) => sum + gv * W[i * this.outputs + o], 0)));
  }
}
