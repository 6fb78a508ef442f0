/**
 * An Elman RNN unrolled over a sequence, h_t = tanh(Wx·x_t + Wh·h_{t−1} + b) with h_{−1} = 0, for
 * every sample of a batch: x [time][batch][inputSize] → every hidden state [time][batch][hiddenSize].
 * Backward is backpropagation through time. Like most training code it averages the parameter
 * gradients over the batch (the gradient of the mean loss); the input gradient is per sample.
 */
export class SimpleRNN {
  /** Form (b) of the protocol: a record of values, and the grads under the same keys. */
  readonly params: { Wx: Float64Array; Wh: Float64Array; b: Float64Array };
  readonly grads: { Wx: Float64Array; Wh: Float64Array; b: Float64Array };
  /** The check generates a seeded sequence of 3 steps, each a batch of 2 input vectors. */
  readonly inputShape: number[];
  private xs: number[][][] = [];
  private hs: number[][][] = [];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
  ) {
    // Fixed values keep the example reproducible; any finite values work.
    const values = (length: number, seed: number) => Float64Array.from({ length }, (_, i) => Math.sin(seed * (i + 1)) / 2);
    this.params = { Wx: values(hiddenSize * inputSize, 1), Wh: values(hiddenSize * hiddenSize, 2), b: values(hiddenSize, 3) };
    this.grads = { Wx: new Float64Array(hiddenSize * inputSize), Wh: new Float64Array(hiddenSize * hiddenSize), b: new Float64Array(hiddenSize) };
    this.inputShape = [3, 2, inputSize];
  }

  forward(sequence: number[][][]): number[][][] {
    const { Wx, Wh, b } = this.params;
    const [I, H] = [this.inputSize, this.hiddenSize];
    this.xs = sequence;
    this.hs = [];
    sequence.forEach((batch, t) => {
      this.hs.push(
        batch.map((x, n) =>
          Array.from({ length: H }, (_, j) => {
            let a = b[j];
            for (let i = 0; i < I; i++) a += Wx[j * I + i] * x[i];
            if (t > 0) for (let k = 0; k < H; k++) a += Wh[j * H + k] * this.hs[t - 1][n][k];
            return Math.tanh(a);
          }),
        ),
      );
    });
    return this.hs.map((batch) => batch.map((h) => [...h]));
  }

  backward(dStates: number[][][]): number[][][] {
    const { Wx, Wh } = this.params;
    const { Wx: dWx, Wh: dWh, b: db } = this.grads;
    const [I, H] = [this.inputSize, this.hiddenSize];
    const batchSize = this.xs[0].length;
    [dWx, dWh, db].forEach((grad) => grad.fill(0));
    const dx = this.xs.map((batch) => batch.map(() => new Array<number>(I).fill(0)));
    // dNext[n][k]: the gradient reaching h_t from step t + 1 through Wh.
    let dNext = Array.from({ length: batchSize }, () => new Array<number>(H).fill(0));
    for (let t = this.xs.length - 1; t >= 0; t--) {
      const dPrev = Array.from({ length: batchSize }, () => new Array<number>(H).fill(0));
      for (let n = 0; n < batchSize; n++) {
        for (let j = 0; j < H; j++) {
          const h = this.hs[t][n][j];
          const da = (dStates[t][n][j] + dNext[n][j]) * (1 - h * h);
          db[j] += da / batchSize;
          for (let i = 0; i < I; i++) {
            dWx[j * I + i] += (da * this.xs[t][n][i]) / batchSize;
            dx[t][n][i] += da * Wx[j * I + i];
          }
          if (t === 0) continue;
          for (let k = 0; k < H; k++) {
            dWh[j * H + k] += (da * this.hs[t - 1][n][k]) / batchSize;
            dPrev[n][k] += da * Wh[j * H + k];
          }
        }
      }
      dNext = dPrev;
    }
    return dx;
  }
}
