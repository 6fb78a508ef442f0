/**
 * Softmax + cross-entropy, the mean over a batch: L = (1/B)·Σ_n [log Σ_c e^(z[n][c]) − z[n][label_n]].
 * forward(logits, labels) returns the loss as a plain number; backward(g) receives that number's
 * upstream gradient (1 from the checker) and returns dL/dlogits = g·(softmax(z) − onehot(label)) / B.
 * The labels are class indices, not differentiable: backward returns null for them.
 */
export class SoftmaxCrossEntropy {
  private probabilities: number[][] = [];
  private labels: number[] = [];

  forward(logits: number[][], labels: number[]): number {
    this.labels = labels;
    this.probabilities = logits.map((row) => {
      const max = Math.max(...row); // softmax is shift-invariant; this keeps exp from overflowing
      const exps = row.map((v) => Math.exp(v - max));
      const total = exps.reduce((a, b) => a + b, 0);
      return exps.map((e) => e / total);
    });
    const losses = this.probabilities.map((p, n) => -Math.log(p[labels[n]]));
    return losses.reduce((a, b) => a + b, 0) / logits.length;
  }

  backward(g: number): [number[][], null] {
    const batchSize = this.probabilities.length;
    const dLogits = this.probabilities.map((p, n) => p.map((pc, c) => (g * (pc - (c === this.labels[n] ? 1 : 0))) / batchSize));
    return [dLogits, null];
  }
}
