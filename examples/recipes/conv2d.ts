/**
 * A 2-D convolution (cross-correlation, as in every NN library) with stride and zero padding, over
 * a batch of images as nested arrays: x [batch][inChannels][height][width] →
 * y [batch][outChannels][outHeight][outWidth], y = Σ kernel · (padded x window) + bias.
 * Backward: dKernel correlates dy with the input, dBias sums dy, dx scatters dy through the kernel.
 */
import type { ParamRecord } from 'expect-gradcheck';

export class Conv2d {
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
  readonly kernelGrad: Float64Array;
  readonly biasGrad: Float64Array;
  /** Form (a) of the protocol: records with their own grads; `shape` names entries kernel[o,i,r,c]. */
  readonly params: ParamRecord[];
  /** The check generates a seeded input of this shape: 2 images of 5 × 5 pixels. */
  readonly inputShape: number[];
  private x: number[][][][] = [];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly size = 3,
    readonly stride = 2,
    readonly padding = 1,
  ) {
    const taps = outChannels * inChannels * size * size;
    // Fixed values keep the example reproducible; any finite values work.
    this.kernel = Float64Array.from({ length: taps }, (_, i) => Math.sin(i + 1) / Math.sqrt(inChannels * size * size));
    this.bias = Float64Array.from({ length: outChannels }, (_, o) => Math.cos(o + 1) / 4);
    this.kernelGrad = new Float64Array(taps);
    this.biasGrad = new Float64Array(outChannels);
    this.params = [
      { name: 'kernel', value: this.kernel, grad: this.kernelGrad, shape: [outChannels, inChannels, size, size] },
      { name: 'bias', value: this.bias, grad: this.biasGrad },
    ];
    this.inputShape = [2, inChannels, 5, 5];
  }

  forward(x: number[][][][]): number[][][][] {
    this.x = x;
    const [outHeight, outWidth] = this.outputSize(x);
    return x.map((image) =>
      this.range(this.outChannels).map((o) =>
        this.range(outHeight).map((r) =>
          this.range(outWidth).map((c) => {
            let sum = this.bias[o];
            this.eachTap(image, o, r, c, (k, i, row, col) => (sum += this.kernel[k] * image[i][row][col]));
            return sum;
          }),
        ),
      ),
    );
  }

  backward(dy: number[][][][]): number[][][][] {
    this.kernelGrad.fill(0);
    this.biasGrad.fill(0);
    const dx = this.x.map((image) => image.map((channel) => channel.map((row) => row.map(() => 0))));
    dy.forEach((dImage, n) =>
      dImage.forEach((dChannel, o) =>
        dChannel.forEach((dRow, r) =>
          dRow.forEach((g, c) => {
            this.biasGrad[o] += g;
            this.eachTap(this.x[n], o, r, c, (k, i, row, col) => {
              this.kernelGrad[k] += g * this.x[n][i][row][col];
              dx[n][i][row][col] += g * this.kernel[k];
            });
          }),
        ),
      ),
    );
    return dx;
  }

  private outputSize(x: number[][][][]): [number, number] {
    const [height, width] = [x[0][0].length, x[0][0][0].length];
    const out = (length: number) => Math.floor((length + 2 * this.padding - this.size) / this.stride) + 1;
    return [out(height), out(width)];
  }

  /** Visits every kernel tap of output pixel (r, c) in channel o that falls inside the image (the padding is zeros). */
  private eachTap(image: number[][][], o: number, r: number, c: number, visit: (k: number, i: number, row: number, col: number) => void): void {
    for (let i = 0; i < this.inChannels; i++) {
      for (let kr = 0; kr < this.size; kr++) {
        for (let kc = 0; kc < this.size; kc++) {
          const row = r * this.stride - this.padding + kr;
          const col = c * this.stride - this.padding + kc;
          if (row >= 0 && row < image[i].length && col >= 0 && col < image[i][row].length) {
            visit(((o * this.inChannels + i) * this.size + kr) * this.size + kc, i, row, col);
          }
        }
      }
    }
  }

  private range(n: number): number[] {
    return Array.from({ length: n }, (_, i) => i);
  }
}
