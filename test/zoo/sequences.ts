/**
 * Layers to compose with `sequence()`, each with bugs in its parameter gradient or in its input
 * gradient, and the sequences built from them: a 6-layer network (dense, tanh, conv, layer norm,
 * dense, MSE loss) and a 3-layer one (dense, tanh, MSE). Batch of 2 rows, nested `number[][]`,
 * float64. Shared by the attribution tests and the corpus.
 * - a wrong parameter gradient shows in the composed check at that layer's tensors alone;
 * - a wrong input gradient corrupts the gradients of every layer before it (and the input), whose
 *   own backward is right: attribution must name the layer, and clear the ones before it.
 */
import { sequence, type Sequence, type StageSpec } from '../../src/adapters/sequence.js';
import type { Layer } from '../../src/layer/protocol.js';
import { createRng, randn } from './tensor-utils.js';
import type { ZooEntry } from './types.js';

type Rows = number[][];
const BATCH = 2;
const rows = (values: number[], width: number): Rows => Array.from({ length: values.length / width }, (_, r) => values.slice(r * width, r * width + width));

export type StageBug = 'param' | 'input' | null;

export class DenseStage {
  readonly W: Rows;
  readonly b: number[];
  dW: Rows;
  db: number[];
  private x: Rows = [];
  constructor(
    readonly inSize: number,
    readonly outSize: number,
    seed: number,
    private readonly bug: StageBug = null,
  ) {
    this.W = rows(randn(createRng(seed), inSize * outSize, 0.6), inSize);
    this.b = randn(createRng(seed + 1), outSize, 0.2);
    this.dW = this.W.map((r) => r.map(() => 0));
    this.db = this.b.map(() => 0);
  }
  get params(): { W: Rows; b: number[] } {
    return { W: this.W, b: this.b };
  }
  get grads(): { W: Rows; b: number[] } {
    return { W: this.dW, b: this.db };
  }
  forward(x: Rows): Rows {
    this.x = x.map((r) => r.slice());
    return x.map((row) => this.W.map((w, o) => w.reduce((s, v, i) => s + v * row[i], this.b[o])));
  }
  backward(g: Rows): Rows {
    // The parameter bug: a term counted twice in dW.
    this.dW = this.W.map((w, o) => w.map((_, i) => (this.bug === 'param' ? 2 : 1) * this.x.reduce((s, row, n) => s + g[n][o] * row[i], 0)));
    this.db = this.b.map((_, o) => g.reduce((s, row) => s + row[o], 0));
    // The input bug: the last weight row left out of dx.
    const rowsUsed = this.bug === 'input' ? this.W.slice(0, -1) : this.W;
    return g.map((row) => this.W[0].map((_, i) => rowsUsed.reduce((s, w, o) => s + row[o] * w[i], 0)));
  }
}

export class TanhStage {
  private y: Rows = [];
  constructor(private readonly bug: StageBug = null) {}
  forward(x: Rows): Rows {
    this.y = x.map((row) => row.map(Math.tanh));
    return this.y.map((r) => r.slice());
  }
  backward(g: Rows): Rows {
    // The input bug: tanh′ forgotten.
    return g.map((row, n) => row.map((v, j) => (this.bug === 'input' ? v : v * (1 - this.y[n][j] ** 2))));
  }
}

/** A valid 1-D convolution along the features: y[n][j] = Σ_t w[t]·x[n][j + t]. */
export class ConvStage {
  readonly w: number[];
  dw: number[];
  private x: Rows = [];
  constructor(
    readonly kernel: number,
    seed: number,
    private readonly bug: StageBug = null,
  ) {
    this.w = randn(createRng(seed), kernel, 0.7);
    this.dw = this.w.map(() => 0);
  }
  get params(): Record<string, number[]> {
    return { w: this.w };
  }
  get grads(): Record<string, number[]> {
    return { w: this.dw };
  }
  forward(x: Rows): Rows {
    this.x = x.map((r) => r.slice());
    return x.map((row) => Array.from({ length: row.length - this.kernel + 1 }, (_, j) => this.w.reduce((s, wt, t) => s + wt * row[j + t], 0)));
  }
  backward(g: Rows): Rows {
    // The parameter bug: the kernel gradient flipped; the input bug: the kernel not flipped back.
    this.dw = this.w.map((_, t) => this.x.reduce((s, row, n) => s + g[n].reduce((a, gj, j) => a + gj * row[j + t], 0), 0));
    if (this.bug === 'param') this.dw.reverse();
    const k = this.kernel;
    return this.x.map((row, n) =>
      row.map((_, i) => g[n].reduce((s, gj, j) => (i - j >= 0 && i - j < k ? s + gj * this.w[this.bug === 'input' ? k - 1 - (i - j) : i - j] : s), 0)),
    );
  }
}

/** Layer norm over the features with a learned scale and shift. */
export class LayerNormStage {
  readonly gamma: number[];
  readonly beta: number[];
  dgamma: number[];
  dbeta: number[];
  private cache: { xhat: Rows; inv: number[] } = { xhat: [], inv: [] };
  constructor(
    width: number,
    seed: number,
    private readonly bug: StageBug = null,
  ) {
    this.gamma = randn(createRng(seed), width, 0.3).map((v) => 1 + v);
    this.beta = randn(createRng(seed + 1), width, 0.2);
    this.dgamma = this.gamma.map(() => 0);
    this.dbeta = this.beta.map(() => 0);
  }
  get params(): Record<string, number[]> {
    return { gamma: this.gamma, beta: this.beta };
  }
  get grads(): Record<string, number[]> {
    return { gamma: this.dgamma, beta: this.dbeta };
  }
  forward(x: Rows): Rows {
    const xhat: Rows = [];
    const inv: number[] = [];
    for (const row of x) {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
      inv.push(1 / Math.sqrt(variance + 1e-5));
      xhat.push(row.map((v) => (v - mean) * inv[inv.length - 1]));
    }
    this.cache = { xhat, inv };
    return xhat.map((row) => row.map((v, j) => v * this.gamma[j] + this.beta[j]));
  }
  backward(g: Rows): Rows {
    const { xhat, inv } = this.cache;
    // The parameter bug: dgamma without x̂ (the shift's gradient given to the scale).
    this.dgamma = this.gamma.map((_, j) => g.reduce((s, row, n) => s + row[j] * (this.bug === 'param' ? 1 : xhat[n][j]), 0));
    this.dbeta = this.beta.map((_, j) => g.reduce((s, row) => s + row[j], 0));
    return g.map((row, n) => {
      const width = row.length;
      const dxhat = row.map((v, j) => v * this.gamma[j]);
      const meanD = dxhat.reduce((s, v) => s + v, 0) / width;
      const meanDX = dxhat.reduce((s, v, j) => s + v * xhat[n][j], 0) / width;
      // The input bug: the mean term left out.
      return dxhat.map((v, j) => inv[n] * (v - (this.bug === 'input' ? 0 : meanD) - xhat[n][j] * meanDX));
    });
  }
}

/**
 * Batch norm in training mode that also keeps running statistics, updated in every forward (state
 * that lives between calls, as real layers keep it). The input bug drops the variance term.
 */
export class RunningBatchNormStage {
  readonly runningMean: number[];
  readonly runningVar: number[];
  private cache: { xhat: Rows; inv: number[] } = { xhat: [], inv: [] };
  constructor(
    width: number,
    private readonly bug: StageBug = null,
  ) {
    this.runningMean = new Array<number>(width).fill(0);
    this.runningVar = new Array<number>(width).fill(1);
  }
  forward(x: Rows): Rows {
    const width = x[0].length;
    const mean = Array.from({ length: width }, (_, j) => x.reduce((s, row) => s + row[j], 0) / x.length);
    const variance = mean.map((m, j) => x.reduce((s, row) => s + (row[j] - m) ** 2, 0) / x.length);
    mean.forEach((m, j) => {
      this.runningMean[j] = 0.9 * this.runningMean[j] + 0.1 * m;
      this.runningVar[j] = 0.9 * this.runningVar[j] + 0.1 * variance[j];
    });
    const inv = variance.map((v) => 1 / Math.sqrt(v + 1e-5));
    const xhat = x.map((row) => row.map((v, j) => (v - mean[j]) * inv[j]));
    this.cache = { xhat, inv };
    return xhat.map((row) => row.slice());
  }
  backward(g: Rows): Rows {
    const { xhat, inv } = this.cache;
    const n = g.length;
    const width = g[0].length;
    const sumG = Array.from({ length: width }, (_, j) => g.reduce((s, row) => s + row[j], 0));
    const sumGX = Array.from({ length: width }, (_, j) => g.reduce((s, row, r) => s + row[j] * xhat[r][j], 0));
    return g.map((row, r) => row.map((v, j) => (inv[j] / n) * (n * v - sumG[j] - (this.bug === 'input' ? 0 : xhat[r][j] * sumGX[j]))));
  }
}

export class MseStage {
  readonly target: Rows;
  private residual: Rows = [];
  constructor(
    width: number,
    seed: number,
    private readonly bug: StageBug = null,
  ) {
    this.target = rows(randn(createRng(seed), BATCH * width), width);
  }
  forward(x: Rows): number {
    this.residual = x.map((row, n) => row.map((v, j) => v - this.target[n][j]));
    const count = BATCH * this.target[0].length;
    return this.residual.flat().reduce((s, r) => s + r * r, 0) / count;
  }
  backward(g: number): Rows {
    const count = BATCH * this.target[0].length;
    // The input bug: the residual the wrong way round.
    return this.residual.map((row) => row.map((r) => ((this.bug === 'input' ? -2 : 2) * g * r) / count));
  }
}

/** What each position of a sequence is, how to build it with or without a bug, and its tensors' names in the sequence. */
interface StagePlan {
  kind: string;
  make(bug: StageBug): Layer;
  /** The stage's parameters (empty for tanh and the loss); the first is the one its parameter bug breaks. */
  params: string[];
}

const input = (width: number, seed: number): Rows => rows(randn(createRng(seed), BATCH * width), width);

const sixStages: StagePlan[] = [
  { kind: 'dense', make: (bug) => new DenseStage(4, 5, 700, bug) as unknown as Layer, params: ['W', 'b'] },
  { kind: 'tanh', make: (bug) => new TanhStage(bug) as unknown as Layer, params: [] },
  { kind: 'conv', make: (bug) => new ConvStage(2, 710, bug) as unknown as Layer, params: ['w'] },
  { kind: 'norm', make: (bug) => new LayerNormStage(4, 720, bug) as unknown as Layer, params: ['gamma', 'beta'] },
  { kind: 'dense', make: (bug) => new DenseStage(4, 3, 730, bug) as unknown as Layer, params: ['W', 'b'] },
  { kind: 'mse', make: (bug) => new MseStage(3, 740, bug) as unknown as Layer, params: [] },
];

const threeStages: StagePlan[] = [
  { kind: 'dense', make: (bug) => new DenseStage(3, 4, 760, bug) as unknown as Layer, params: ['W', 'b'] },
  { kind: 'tanh', make: (bug) => new TanhStage(bug) as unknown as Layer, params: [] },
  { kind: 'mse', make: (bug) => new MseStage(4, 770, bug) as unknown as Layer, params: [] },
];

export interface SequencePlan {
  name: string;
  stages: StagePlan[];
  input: () => Rows;
}

export const sequencePlans: SequencePlan[] = [
  { name: 'six-layer-network', stages: sixStages, input: () => input(4, 790) },
  { name: 'three-layer-network', stages: threeStages, input: () => input(3, 791) },
];

/** The sequence with `bug` planted at `position` (none when null); stages named by kind, the input given by `sampleInput`. */
export function buildSequence(plan: SequencePlan, position: number | null = null, bug: StageBug = null): Sequence {
  const specs: StageSpec[] = plan.stages.map((stage, i) => [stage.kind, stage.make(i === position ? bug : null)] as const);
  const built = sequence(...specs);
  Object.defineProperty(built, 'sampleInput', { value: plan.input, enumerable: false });
  return built;
}

/** The sequence's tensors a bug at `position` makes wrong in the composed check: its own parameters, or (input bug) everything before it. */
export function composedWrongTensors(plan: SequencePlan, position: number, bug: Exclude<StageBug, null>): string[] {
  const own = (i: number): string[] => plan.stages[i].params.map((p) => `${i}.${plan.stages[i].kind}.${p}`);
  if (bug === 'param') return own(position).slice(0, 1);
  return [...plan.stages.slice(0, position).flatMap((_, i) => own(i)), 'input'];
}

/** Every (position, bug) a stage supports: parameter bugs where it has parameters, input bugs where it has a layer before it or an input. */
export function plantedBugs(plan: SequencePlan): Array<{ position: number; bug: Exclude<StageBug, null> }> {
  return plan.stages.flatMap((stage, position) => [
    ...(stage.params.length > 0 ? [{ position, bug: 'param' as const }] : []),
    { position, bug: 'input' as const },
  ]);
}

export const sequenceZoo: ZooEntry[] = sequencePlans.map((plan) => ({
  name: `sequence-${plan.name}`,
  dtypes: ['float64'],
  make: () => buildSequence(plan) as unknown as Layer,
  bugs: plantedBugs(plan).map(({ position, bug }) => ({
    name: `layer-${position}-${plan.stages[position].kind}-${bug}-gradient`,
    description: `Layer ${position} (${plan.stages[position].kind}) has a wrong ${bug === 'param' ? 'parameter' : 'input'} gradient.`,
    make: () => buildSequence(plan, position, bug) as unknown as Layer,
    wrongTensors: composedWrongTensors(plan, position, bug),
    wrongLayers: [position],
  })),
}));
