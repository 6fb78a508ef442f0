/**
 * One step of an LSTM cell on a batch of 2, input size 3, hidden size 3.
 *   a = x·Wx + hPrev·Wh + b   (gate order i, f, g, o along the 4H columns)
 *   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *   c = f·cPrev + i·g,  h = o·tanh(c)
 * Input x is nested [2][3]; the output is h, a tensor [2, 3].
 * Parameters in form (a): Wx [3, 12], Wh [3, 12], b [12], and the previous state hPrev, cPrev [2, 3].
 *
 * The seeded weights are drawn (seeds in order) until every cell state has |c| ≥ 0.6 and every
 * forget gate lies in [0.15, 0.85] with a_f·(1 − a_f) at least 10% away from f·(1 − f): then each
 * buggy variant changes every gradient it touches by a clear factor, whatever the upstream gradient.
 */
import type { Layer, ParamRecord } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, pack, randn, sigmoid, variants, writeInto, type BugSpec } from './util.js';

const B = 2;
const D = 3;
const HID = 3;
const G = 4 * HID;

const ALL = ['input', 'Wx', 'Wh', 'b', 'hPrev'];

const BUGS: BugSpec[] = [
  {
    name: 'cell-tanh-derivative-from-c',
    description: 'The derivative of tanh(c) in h = o·tanh(c) is computed as 1 − c² instead of 1 − tanh(c)².',
    wrongTensors: [...ALL, 'cPrev'],
  },
  {
    name: 'forget-gate-derivative-from-preactivation',
    description: "The forget gate's sigmoid derivative is computed from the pre-activation, a_f·(1 − a_f), instead of f·(1 − f).",
    wrongTensors: ALL,
  },
  {
    name: 'candidate-gate-sigmoid-derivative',
    description: 'The candidate gate g = tanh(a_g) is differentiated as a sigmoid, g·(1 − g), instead of 1 − g².',
    wrongTensors: ALL,
  },
  {
    name: 'output-gate-grad-uses-c',
    description: 'The output-gate gradient multiplies by c instead of tanh(c).',
    wrongTensors: ALL,
  },
  {
    name: 'cprev-grad-missing-forget-gate',
    description: 'The gradient to the previous cell state is dc instead of dc·f.',
    wrongTensors: ['cPrev'],
  },
  {
    name: 'Wh-grad-uses-x',
    description: 'The recurrent weight gradient is computed from the input x instead of hPrev (copy-paste from dWx).',
    wrongTensors: ['Wh'],
  },
  {
    name: 'bias-grad-first-sample-only',
    description: 'The bias gradient takes sample 0 of the batch only: right for batch size 1.',
    wrongTensors: ['b'],
  },
];

type Store = Float64Array | Float32Array | number[];
type Numbers = ArrayLike<number>;

export class LstmCell implements Layer {
  readonly params: ParamRecord[];
  private readonly Wx: Store;
  private readonly Wh: Store;
  private readonly b: Store;
  private readonly hPrev: Store;
  private readonly cPrev: Store;
  private readonly inputValues: number[];
  private cache: { x: Float64Array; a: Float64Array; gates: Float64Array; c: Float64Array } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    let drawn: { Wx: number[]; Wh: number[]; b: number[]; hPrev: number[]; cPrev: number[]; x: number[] } | null = null;
    for (let seed = 20_505; drawn === null; seed++) {
      const rng = createRng(seed);
      const Wx = randn(rng, D * G, 0.6);
      const Wh = randn(rng, HID * G, 0.6);
      const b = randn(rng, G, 0.4);
      const hPrev = randn(rng, B * HID, 0.6);
      const cPrev = randn(rng, B * HID, 1.5);
      const x = randn(rng, B * D);
      const { a, gates, c } = this.step(x, Wx, Wh, b, hPrev, cPrev);
      let ok = c.every((v) => Math.abs(v) >= 0.6);
      for (let s = 0; s < B && ok; s++) {
        for (let k = 0; k < HID && ok; k++) {
          const af = a[s * G + HID + k];
          const f = gates[s * G + HID + k];
          const wrong = af * (1 - af);
          const right = f * (1 - f);
          ok = f >= 0.15 && f <= 0.85 && Math.abs(wrong - right) >= 0.1 * Math.max(Math.abs(wrong), right);
        }
      }
      if (ok) drawn = { Wx, Wh, b, hPrev, cPrev, x };
    }
    this.Wx = flatStore(dtype, drawn.Wx, true);
    this.Wh = flatStore(dtype, drawn.Wh);
    this.b = flatStore(dtype, drawn.b);
    this.hPrev = flatStore(dtype, drawn.hPrev);
    this.cPrev = flatStore(dtype, drawn.cPrev);
    const zeros = (n: number, plain = false): Store => flatStore(dtype, new Array<number>(n).fill(0), plain);
    this.params = [
      { name: 'Wx', value: this.Wx, grad: zeros(D * G, true), shape: [D, G] },
      { name: 'Wh', value: this.Wh, grad: zeros(HID * G), shape: [HID, G] },
      { name: 'b', value: this.b, grad: zeros(G), shape: [G] },
      { name: 'hPrev', value: this.hPrev, grad: zeros(B * HID), shape: [B, HID] },
      { name: 'cPrev', value: this.cPrev, grad: zeros(B * HID), shape: [B, HID] },
    ];
    this.inputValues = drawn.x;
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [B, D]);
  }

  /** Pre-activations, gate values and cell states for input x and the current parameters. */
  private step(
    x: Numbers,
    Wx: Numbers,
    Wh: Numbers,
    b: Numbers,
    hPrev: Numbers,
    cPrev: Numbers,
  ): { a: Float64Array; gates: Float64Array; c: Float64Array; h: Float64Array } {
    const a = new Float64Array(B * G);
    const gates = new Float64Array(B * G);
    const c = new Float64Array(B * HID);
    const h = new Float64Array(B * HID);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < G; j++) {
        let sum = b[j];
        for (let d = 0; d < D; d++) sum += x[s * D + d] * Wx[d * G + j];
        for (let k = 0; k < HID; k++) sum += hPrev[s * HID + k] * Wh[k * G + j];
        a[s * G + j] = sum;
        gates[s * G + j] = j >= 2 * HID && j < 3 * HID ? Math.tanh(sum) : sigmoid(sum);
      }
      for (let k = 0; k < HID; k++) {
        const i = gates[s * G + k];
        const f = gates[s * G + HID + k];
        const g = gates[s * G + 2 * HID + k];
        const o = gates[s * G + 3 * HID + k];
        const cell = f * cPrev[s * HID + k] + i * g;
        c[s * HID + k] = cell;
        h[s * HID + k] = o * Math.tanh(cell);
      }
    }
    return { a, gates, c, h };
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const { a, gates, c, h } = this.step(x, this.Wx, this.Wh, this.b, this.hPrev, this.cPrev);
    this.cache = { x, a, gates, c };
    return pack('tensor', this.dtype, h, [B, HID]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.cache === null) throw new Error('lstm-cell: backward before forward');
    const { x, a, gates, c } = this.cache;
    const grad = flatten(gradOutput);
    const da = new Float64Array(B * G);
    const dcPrev = new Float64Array(B * HID);
    for (let s = 0; s < B; s++) {
      for (let k = 0; k < HID; k++) {
        const i = gates[s * G + k];
        const f = gates[s * G + HID + k];
        const g = gates[s * G + 2 * HID + k];
        const o = gates[s * G + 3 * HID + k];
        const cell = c[s * HID + k];
        const tc = Math.tanh(cell);
        const dh = grad[s * HID + k];
        const dTanhC = this.bug === 'cell-tanh-derivative-from-c' ? 1 - cell * cell : 1 - tc * tc;
        const dc = dh * o * dTanhC;
        const dO = dh * (this.bug === 'output-gate-grad-uses-c' ? cell : tc);
        const dI = dc * g;
        const dF = dc * this.cPrev[s * HID + k];
        const dG = dc * i;
        dcPrev[s * HID + k] = this.bug === 'cprev-grad-missing-forget-gate' ? dc : dc * f;
        const af = a[s * G + HID + k];
        da[s * G + k] = dI * i * (1 - i);
        da[s * G + HID + k] = dF * (this.bug === 'forget-gate-derivative-from-preactivation' ? af * (1 - af) : f * (1 - f));
        da[s * G + 2 * HID + k] = dG * (this.bug === 'candidate-gate-sigmoid-derivative' ? g * (1 - g) : 1 - g * g);
        da[s * G + 3 * HID + k] = dO * o * (1 - o);
      }
    }
    const dWx = new Float64Array(D * G);
    const dWh = new Float64Array(HID * G);
    const db = new Float64Array(G);
    const dx = new Float64Array(B * D);
    const dhPrev = new Float64Array(B * HID);
    for (let s = 0; s < B; s++) {
      for (let j = 0; j < G; j++) {
        const dA = da[s * G + j];
        if (!(this.bug === 'bias-grad-first-sample-only' && s > 0)) db[j] += dA;
        for (let d = 0; d < D; d++) {
          dWx[d * G + j] += x[s * D + d] * dA;
          dx[s * D + d] += this.Wx[d * G + j] * dA;
        }
        for (let k = 0; k < HID; k++) {
          const source = this.bug === 'Wh-grad-uses-x' ? x[s * D + k] : this.hPrev[s * HID + k];
          dWh[k * G + j] += source * dA;
          dhPrev[s * HID + k] += this.Wh[k * G + j] * dA;
        }
      }
    }
    const [pWx, pWh, pb, phPrev, pcPrev] = this.params;
    writeInto(pWx.grad, dWx);
    writeInto(pWh.grad, dWh);
    writeInto(pb.grad, db);
    writeInto(phPrev.grad, dhPrev);
    writeInto(pcPrev.grad, dcPrev);
    return pack('nested', this.dtype, dx, [B, D]);
  }
}

export const lstmCellEntry: ZooEntry = {
  name: 'lstm-cell',
  make: (dtype) => new LstmCell(dtype),
  bugs: variants((dtype, bug) => new LstmCell(dtype, bug), BUGS),
};
