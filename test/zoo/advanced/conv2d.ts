/**
 * 2-D convolution (cross-correlation), stride 2, zero padding 1, 2 → 3 channels, 3×3 kernel, bias.
 * Input and output are `{ data, shape }` tensors in NCHW layout: [2, 2, 5, 5] → [2, 3, 3, 3].
 * Parameters in form (a): `kernel` [3, 2, 3, 3] and `bias` [3].
 */
import type { Layer, ParamRecord } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randn, variants, writeInto, type BugSpec } from './util.js';

const N = 2;
const CIN = 2;
const H = 5;
const W = 5;
const COUT = 3;
const K = 3;
const STRIDE = 2;
const PAD = 1;
const HO = Math.floor((H + 2 * PAD - K) / STRIDE) + 1;
const WO = Math.floor((W + 2 * PAD - K) / STRIDE) + 1;

const BUGS: BugSpec[] = [
  {
    name: 'kernel-flipped-in-input-grad',
    description: 'The input gradient uses the kernel rotated by 180° (as for a true convolution), although forward is a cross-correlation.',
    wrongTensors: ['input'],
  },
  {
    name: 'input-grad-stride-off-by-one',
    description: 'The input gradient scatters with stride 1 instead of 2, so gradients land on the wrong input pixels.',
    wrongTensors: ['input'],
  },
  {
    name: 'kernel-grad-ignores-padding',
    description: 'The kernel gradient reads input pixel (oh·s + kh, ow·s + kw) without subtracting the padding.',
    wrongTensors: ['kernel'],
  },
  {
    name: 'kernel-grad-divided-by-batch',
    description: 'The kernel gradient is averaged over the batch although forward sums nothing over it (÷ batch size).',
    wrongTensors: ['kernel'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'The bias gradient sums the upstream gradient over positions of sample 0 only: right for batch size 1.',
    wrongTensors: ['bias'],
  },
  {
    name: 'one-kernel-grad-entry-off-by-1e-4',
    description: 'A single kernel-gradient entry is 1e-4 relative too large (e.g. a stray epsilon term).',
    wrongTensors: ['kernel'],
    float64Only: true,
  },
];

const inputIndex = (n: number, c: number, h: number, w: number): number => ((n * CIN + c) * H + h) * W + w;
const kernelIndex = (co: number, ci: number, kh: number, kw: number): number => ((co * CIN + ci) * K + kh) * K + kw;
const outputIndex = (n: number, co: number, oh: number, ow: number): number => ((n * COUT + co) * HO + oh) * WO + ow;
const inside = (h: number, w: number): boolean => h >= 0 && h < H && w >= 0 && w < W;

export class Conv2d implements Layer {
  readonly kernel: Float64Array | Float32Array | number[];
  readonly bias: Float64Array | Float32Array | number[];
  readonly kernelGrad: Float64Array | Float32Array | number[];
  readonly biasGrad: Float64Array | Float32Array | number[];
  readonly params: ParamRecord[];
  private readonly inputValues: number[];
  private x: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(20_101);
    this.kernel = flatStore(dtype, randn(rng, COUT * CIN * K * K, 1 / Math.sqrt(CIN * K * K)));
    this.bias = flatStore(dtype, randn(rng, COUT, 0.3), true);
    this.kernelGrad = flatStore(dtype, new Array<number>(COUT * CIN * K * K).fill(0));
    this.biasGrad = flatStore(dtype, new Array<number>(COUT).fill(0), true);
    this.params = [
      { name: 'kernel', value: this.kernel, grad: this.kernelGrad, shape: [COUT, CIN, K, K] },
      { name: 'bias', value: this.bias, grad: this.biasGrad, shape: [COUT] },
    ];
    this.inputValues = randn(rng, N * CIN * H * W);
  }

  sampleInput(): unknown {
    return pack('tensor', this.dtype, this.inputValues, [N, CIN, H, W]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    const w = this.kernel;
    const y = new Float64Array(N * COUT * HO * WO);
    for (let n = 0; n < N; n++) {
      for (let co = 0; co < COUT; co++) {
        for (let oh = 0; oh < HO; oh++) {
          for (let ow = 0; ow < WO; ow++) {
            let sum = this.bias[co];
            for (let ci = 0; ci < CIN; ci++) {
              for (let kh = 0; kh < K; kh++) {
                for (let kw = 0; kw < K; kw++) {
                  const ih = oh * STRIDE - PAD + kh;
                  const iw = ow * STRIDE - PAD + kw;
                  if (inside(ih, iw)) sum += w[kernelIndex(co, ci, kh, kw)] * x[inputIndex(n, ci, ih, iw)];
                }
              }
            }
            y[outputIndex(n, co, oh, ow)] = sum;
          }
        }
      }
    }
    return pack('tensor', this.dtype, y, [N, COUT, HO, WO]);
  }

  backward(gradOutput: unknown): unknown {
    const x = this.x;
    if (x === null) throw new Error('conv2d: backward before forward');
    const g = flatten(gradOutput);
    const w = this.kernel;
    const dw = new Float64Array(COUT * CIN * K * K);
    const db = new Float64Array(COUT);
    const dx = new Float64Array(N * CIN * H * W);
    const scatterStride = this.bug === 'input-grad-stride-off-by-one' ? STRIDE - 1 : STRIDE;
    for (let n = 0; n < N; n++) {
      for (let co = 0; co < COUT; co++) {
        for (let oh = 0; oh < HO; oh++) {
          for (let ow = 0; ow < WO; ow++) {
            const go = g[outputIndex(n, co, oh, ow)];
            if (!(this.bug === 'bias-grad-first-sample-only' && n > 0)) db[co] += go;
            for (let ci = 0; ci < CIN; ci++) {
              for (let kh = 0; kh < K; kh++) {
                for (let kw = 0; kw < K; kw++) {
                  // Kernel gradient: correlate the upstream gradient with the input.
                  const ih = this.bug === 'kernel-grad-ignores-padding' ? oh * STRIDE + kh : oh * STRIDE - PAD + kh;
                  const iw = this.bug === 'kernel-grad-ignores-padding' ? ow * STRIDE + kw : ow * STRIDE - PAD + kw;
                  if (inside(ih, iw)) dw[kernelIndex(co, ci, kh, kw)] += go * x[inputIndex(n, ci, ih, iw)];
                  // Input gradient: scatter the upstream gradient through the kernel.
                  const jh = oh * scatterStride - PAD + kh;
                  const jw = ow * scatterStride - PAD + kw;
                  const k =
                    this.bug === 'kernel-flipped-in-input-grad' ? kernelIndex(co, ci, K - 1 - kh, K - 1 - kw) : kernelIndex(co, ci, kh, kw);
                  if (inside(jh, jw)) dx[inputIndex(n, ci, jh, jw)] += go * w[k];
                }
              }
            }
          }
        }
      }
    }
    if (this.bug === 'kernel-grad-divided-by-batch') for (let i = 0; i < dw.length; i++) dw[i] /= N;
    if (this.bug === 'one-kernel-grad-entry-off-by-1e-4') dw[7] *= 1 + 1e-4;
    writeInto(this.kernelGrad, dw);
    writeInto(this.biasGrad, db);
    return pack('tensor', this.dtype, dx, [N, CIN, H, W]);
  }
}

export const conv2dEntry: ZooEntry = {
  name: 'conv2d-stride2-pad1',
  make: (dtype) => new Conv2d(dtype),
  bugs: variants((dtype, bug) => new Conv2d(dtype, bug), BUGS),
};
