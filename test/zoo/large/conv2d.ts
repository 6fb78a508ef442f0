/**
 * A 2-D convolution (cross-correlation) sized for the benchmarks: stride 1, zero padding that keeps
 * the spatial size ("same"), typed storage, NCHW flat `Float64Array` input and output. Parameters in
 * form (b): `kernel` [channelsOut, channelsIn, k, k] and `bias` [channelsOut], grads accumulated
 * (`+=`) under the same keys. The small zoo conv2d (test/zoo/advanced/conv2d.ts) has fixed sizes
 * and bug variants; this one only scales.
 */
import { createRng } from '../tensor-utils.js';

export interface LargeConv2dOptions {
  channelsIn: number;
  channelsOut: number;
  /** Side of the square kernel; odd, so "same" padding is (kernelSize − 1) / 2 on every side. */
  kernelSize: number;
  height: number;
  width: number;
  batch?: number;
  seed?: number;
}

export class LargeConv2d {
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
  readonly kernelGrad: Float64Array;
  readonly biasGrad: Float64Array;
  readonly channelsIn: number;
  readonly channelsOut: number;
  readonly kernelSize: number;
  readonly height: number;
  readonly width: number;
  readonly batch: number;
  private readonly inputValues: Float64Array;
  private x: Float64Array = new Float64Array(0);

  constructor(options: LargeConv2dOptions) {
    if (options.kernelSize % 2 !== 1) throw new TypeError(`kernelSize must be odd for "same" padding, but got ${options.kernelSize}.`);
    this.channelsIn = options.channelsIn;
    this.channelsOut = options.channelsOut;
    this.kernelSize = options.kernelSize;
    this.height = options.height;
    this.width = options.width;
    this.batch = options.batch ?? 1;
    const rng = createRng(options.seed ?? 2025);
    const fanIn = this.channelsIn * this.kernelSize * this.kernelSize;
    const scale = 1 / Math.sqrt(fanIn);
    this.kernel = Float64Array.from({ length: this.channelsOut * fanIn }, () => scale * rng.normal());
    this.bias = Float64Array.from({ length: this.channelsOut }, () => 0.1 * rng.normal());
    this.kernelGrad = new Float64Array(this.kernel.length);
    this.biasGrad = new Float64Array(this.bias.length);
    this.inputValues = Float64Array.from({ length: this.batch * this.channelsIn * this.height * this.width }, () => rng.normal());
  }

  get params(): Record<string, Float64Array> {
    return { kernel: this.kernel, bias: this.bias };
  }

  get grads(): Record<string, Float64Array> {
    return { kernel: this.kernelGrad, bias: this.biasGrad };
  }

  get size(): number {
    return this.kernel.length + this.bias.length;
  }

  sampleInput(): Float64Array {
    return this.inputValues.slice();
  }

  forward(input: Float64Array): Float64Array {
    const { channelsIn, channelsOut, kernelSize, height, width, batch, kernel, bias } = this;
    const x = Float64Array.from(input);
    this.x = x;
    const pad = (kernelSize - 1) / 2;
    const plane = height * width;
    const y = new Float64Array(batch * channelsOut * plane);
    for (let n = 0; n < batch; n++) {
      for (let co = 0; co < channelsOut; co++) {
        const out = (n * channelsOut + co) * plane;
        for (let oh = 0; oh < height; oh++) {
          for (let ow = 0; ow < width; ow++) {
            let sum = bias[co];
            for (let ci = 0; ci < channelsIn; ci++) {
              const inPlane = (n * channelsIn + ci) * plane;
              const kernelPlane = (co * channelsIn + ci) * kernelSize * kernelSize;
              for (let kh = 0; kh < kernelSize; kh++) {
                const ih = oh - pad + kh;
                if (ih < 0 || ih >= height) continue;
                for (let kw = 0; kw < kernelSize; kw++) {
                  const iw = ow - pad + kw;
                  if (iw < 0 || iw >= width) continue;
                  sum += kernel[kernelPlane + kh * kernelSize + kw] * x[inPlane + ih * width + iw];
                }
              }
            }
            y[out + oh * width + ow] = sum;
          }
        }
      }
    }
    return y;
  }

  backward(gradOutput: Float64Array): Float64Array {
    const { channelsIn, channelsOut, kernelSize, height, width, batch, kernel, x } = this;
    const pad = (kernelSize - 1) / 2;
    const plane = height * width;
    const dx = new Float64Array(x.length);
    for (let n = 0; n < batch; n++) {
      for (let co = 0; co < channelsOut; co++) {
        const out = (n * channelsOut + co) * plane;
        for (let oh = 0; oh < height; oh++) {
          for (let ow = 0; ow < width; ow++) {
            const upstream = gradOutput[out + oh * width + ow];
            this.biasGrad[co] += upstream;
            for (let ci = 0; ci < channelsIn; ci++) {
              const inPlane = (n * channelsIn + ci) * plane;
              const kernelPlane = (co * channelsIn + ci) * kernelSize * kernelSize;
              for (let kh = 0; kh < kernelSize; kh++) {
                const ih = oh - pad + kh;
                if (ih < 0 || ih >= height) continue;
                for (let kw = 0; kw < kernelSize; kw++) {
                  const iw = ow - pad + kw;
                  if (iw < 0 || iw >= width) continue;
                  this.kernelGrad[kernelPlane + kh * kernelSize + kw] += upstream * x[inPlane + ih * width + iw];
                  dx[inPlane + ih * width + iw] += upstream * kernel[kernelPlane + kh * kernelSize + kw];
                }
              }
            }
          }
        }
      }
    }
    return dx;
  }
}
