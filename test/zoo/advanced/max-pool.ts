/**
 * Max pooling, 2×2 windows, stride 2, over nested [C][H][W] arrays ([2][4][4] → [2][2][2]).
 * The gradient goes to the first maximum of each window in row-major order. No parameters.
 *
 * The ordinary entry's windows have four distinct values at least 0.25 apart (no ties); the nasty
 * entry in ../nasty/max-pool-ties.ts builds this same class on an input full of ties.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatten, pack, permutation, variants, type BugSpec } from './util.js';

const H = 4;
const W = 4;
const HO = H / 2;
const WO = W / 2;

export const MAX_POOL_BUGS: BugSpec[] = [
  {
    name: 'grad-to-top-left',
    description: 'The gradient is routed to the top-left element of each window instead of its maximum.',
    wrongTensors: ['input'],
  },
  {
    name: 'window-index-row-col-swapped',
    description: 'The remembered argmax offset (dh, dw) is decoded as (dw, dh), sending the gradient to the transposed position.',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-to-every-window-element',
    description: 'The upstream gradient is copied to all four elements of the window, as for average pooling without the ¼.',
    wrongTensors: ['input'],
  },
];

/** Bugs that only show on windows with ties. */
export const MAX_POOL_TIE_BUGS: BugSpec[] = [
  {
    name: 'tie-gradient-accumulated-per-tie',
    description: 'For every element equal to the window maximum the upstream gradient is added to the argmax again: ×2 or ×4 on tied windows.',
    wrongTensors: ['input'],
  },
  {
    name: 'grad-to-every-tied-maximum',
    description: 'The mask is x == max: every tied maximum receives the whole upstream gradient, k times it in all (valid entry by entry, not together).',
    wrongTensors: ['input'],
  },
];

/** Valid ways to route a window's gradient among tied maxima: each is a subgradient. */
export type TieRouting = 'first' | 'last' | 'split';

const ALL_BUGS = [...MAX_POOL_BUGS, ...MAX_POOL_TIE_BUGS];

/** Four distinct values per window, spaced by 0.25, in random order: no ties, no near-ties. */
function untiedInput(channels: number): number[] {
  const rng = createRng(20_202);
  const x = new Array<number>(channels * H * W);
  for (let c = 0; c < channels; c++) {
    for (let oh = 0; oh < HO; oh++) {
      for (let ow = 0; ow < WO; ow++) {
        const base = rng.uniform(-1, 1);
        const order = permutation(rng, 4);
        for (let k = 0; k < 4; k++) {
          const ih = 2 * oh + (k >> 1);
          const iw = 2 * ow + (k & 1);
          x[(c * H + ih) * W + iw] = base + 0.25 * order[k] + 0.01 * rng.next();
        }
      }
    }
  }
  return x;
}

export interface MaxPoolOptions {
  bug?: string;
  /** Which tied maximum gets the gradient (all valid): the first (default), the last, or an equal split. */
  routing?: TieRouting;
  channels?: number;
  /** Row-major [channels][4][4] input values; by default a seeded input without ties. */
  inputValues?: number[];
}

export class MaxPool2d implements Layer {
  private readonly channels: number;
  private readonly inputValues: number[];
  private readonly bug: string | undefined;
  private readonly routing: TieRouting;
  private x: Float64Array | null = null;
  /** Per output entry: the chosen window offset (0..3, row-major within the window) and the tie count. */
  private argmax: Int32Array = new Int32Array(0);
  private ties: Int32Array = new Int32Array(0);

  constructor(
    private readonly dtype: Dtype,
    options: MaxPoolOptions = {},
  ) {
    checkBug(options.bug, ALL_BUGS);
    this.bug = options.bug;
    this.routing = options.routing ?? 'first';
    this.channels = options.channels ?? 2;
    this.inputValues = options.inputValues ?? untiedInput(this.channels);
    if (this.inputValues.length !== this.channels * H * W) throw new Error('max-pool: wrong input size');
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [this.channels, H, W]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    const outSize = this.channels * HO * WO;
    const y = new Float64Array(outSize);
    this.argmax = new Int32Array(outSize);
    this.ties = new Int32Array(outSize);
    for (let c = 0; c < this.channels; c++) {
      for (let oh = 0; oh < HO; oh++) {
        for (let ow = 0; ow < WO; ow++) {
          let best = -Infinity;
          let arg = 0;
          for (let k = 0; k < 4; k++) {
            const v = x[(c * H + 2 * oh + (k >> 1)) * W + 2 * ow + (k & 1)];
            if (v > best) {
              best = v;
              arg = k;
            }
          }
          let ties = 0;
          for (let k = 0; k < 4; k++) if (x[(c * H + 2 * oh + (k >> 1)) * W + 2 * ow + (k & 1)] === best) ties++;
          const o = (c * HO + oh) * WO + ow;
          y[o] = best;
          this.argmax[o] = arg;
          this.ties[o] = ties;
        }
      }
    }
    return pack('nested', this.dtype, y, [this.channels, HO, WO]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('max-pool: backward before forward');
    const g = flatten(gradOutput);
    const dx = new Float64Array(this.channels * H * W);
    const at = (c: number, oh: number, ow: number, k: number): number => (c * H + 2 * oh + (k >> 1)) * W + 2 * ow + (k & 1);
    for (let c = 0; c < this.channels; c++) {
      for (let oh = 0; oh < HO; oh++) {
        for (let ow = 0; ow < WO; ow++) {
          const o = (c * HO + oh) * WO + ow;
          const go = g[o];
          const arg = this.argmax[o];
          switch (this.bug) {
            case 'grad-to-top-left':
              dx[at(c, oh, ow, 0)] += go;
              break;
            case 'window-index-row-col-swapped':
              dx[at(c, oh, ow, ((arg & 1) << 1) | (arg >> 1))] += go;
              break;
            case 'grad-to-every-window-element':
              for (let k = 0; k < 4; k++) dx[at(c, oh, ow, k)] += go;
              break;
            case 'tie-gradient-accumulated-per-tie':
              dx[at(c, oh, ow, arg)] += go * this.ties[o];
              break;
            case 'grad-to-every-tied-maximum':
              for (const k of this.tiedMaxima(c, oh, ow)) dx[at(c, oh, ow, k)] += go;
              break;
            default:
              this.route(dx, go, this.tiedMaxima(c, oh, ow), (k) => at(c, oh, ow, k));
          }
        }
      }
    }
    return pack('nested', this.dtype, dx, [this.channels, H, W]);
  }

  /** Window offsets (row-major) holding the window's maximum. */
  private tiedMaxima(c: number, oh: number, ow: number): number[] {
    const x = this.x as Float64Array;
    const values = [0, 1, 2, 3].map((k) => x[(c * H + 2 * oh + (k >> 1)) * W + 2 * ow + (k & 1)]);
    const best = Math.max(...values);
    return [0, 1, 2, 3].filter((k) => values[k] === best);
  }

  private route(dx: Float64Array, go: number, tied: number[], at: (k: number) => number): void {
    if (this.routing === 'split') for (const k of tied) dx[at(k)] += go / tied.length;
    else dx[at(this.routing === 'last' ? tied[tied.length - 1] : tied[0])] += go;
  }
}

export const maxPoolEntry: ZooEntry = {
  name: 'max-pool-2x2',
  make: (dtype) => new MaxPool2d(dtype),
  bugs: variants((dtype, bug) => new MaxPool2d(dtype, { bug }), MAX_POOL_BUGS),
};
