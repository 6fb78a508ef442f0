/**
 * Average pooling, 2×2 windows, stride 2. Input is flat row-major [C=2][H=4][W=4] storage
 * (`number[]` in float64), output flat [2][2][2]. No parameters.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, randn, variants, type BugSpec } from './util.js';

const C = 2;
const H = 4;
const W = 4;
const HO = H / 2;
const WO = W / 2;

const BUGS: BugSpec[] = [
  {
    name: 'grad-not-divided-by-window-size',
    description: 'The backward pass copies the upstream gradient into the window without the factor ¼ (×4).',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-divided-by-window-width',
    description: 'The backward pass divides by the window width 2 instead of the window area 4 (×2).',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-only-to-top-left',
    description: 'The backward pass writes g/4 to the top-left element of each window only, as if it were max pooling.',
    wrongTensors: ['input'],
  },
];

export class AvgPool2d implements Layer {
  private readonly inputValues: number[];

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randn(createRng(20_303), C * H * W);
  }

  sampleInput(): unknown {
    return pack('plain', this.dtype, this.inputValues, [C * H * W]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = new Float64Array(C * HO * WO);
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < HO; oh++) {
        for (let ow = 0; ow < WO; ow++) {
          let sum = 0;
          for (let kh = 0; kh < 2; kh++) for (let kw = 0; kw < 2; kw++) sum += x[(c * H + 2 * oh + kh) * W + 2 * ow + kw];
          y[(c * HO + oh) * WO + ow] = sum / 4;
        }
      }
    }
    return pack('plain', this.dtype, y, [C * HO * WO]);
  }

  backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const dx = new Float64Array(C * H * W);
    const share = this.bug === 'grad-not-divided-by-window-size' ? 1 : this.bug === 'grad-divided-by-window-width' ? 1 / 2 : 1 / 4;
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < HO; oh++) {
        for (let ow = 0; ow < WO; ow++) {
          const go = g[(c * HO + oh) * WO + ow];
          for (let kh = 0; kh < 2; kh++) {
            for (let kw = 0; kw < 2; kw++) {
              if (this.bug === 'grad-only-to-top-left' && (kh > 0 || kw > 0)) continue;
              dx[(c * H + 2 * oh + kh) * W + 2 * ow + kw] += go * share;
            }
          }
        }
      }
    }
    return pack('plain', this.dtype, dx, [C * H * W]);
  }
}

export const avgPoolEntry: ZooEntry = {
  name: 'avg-pool-2x2',
  make: (dtype) => new AvgPool2d(dtype),
  bugs: variants((dtype, bug) => new AvgPool2d(dtype, bug), BUGS),
};
