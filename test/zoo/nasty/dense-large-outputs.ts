/**
 * Nasty but correct: a dense layer y = x·Wᵀ + b ({ data, shape } [2][4] → [2][3]) whose inputs are
 * of size ~1e6 and weights ~0.5, so the outputs are 1e5–1e6 while the bias is ~0.1.
 * The bias gradient is Σ over the batch of the upstream gradient, of size ~1, but a bias step h
 * moves the loss by ~h against a loss rounding modelled as 4u·Σ|r·y| with Σ|r·y| ≈ 2e6: in float32
 * (outputs quantized at 0.016–0.06) even the widest step (64× the base, 0.3) leaves an error bar
 * of ≈ 4.4 over bias gradients of 0.05–3, so the bias is unresolved; W (gradients ~1e6) and the
 * input (steps of ~5e3) are resolved to 3e-3 or better. In float64 the same model gives ≈ 1e-9 per
 * loss sample and an error bar of ≈ 7e-6 on the bias, 2e-6 to 1e-4 of its entries: still short of
 * the 1e-6 tolerance, but any realistic bias bug is plain.
 * Parameters in form (d): params() returns { W (3×4), b (3) } and grads() { W, b }.
 */
import type { Layer, NumericContainer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { checkBug, createRng, flatStore, flatten, matmulRowsByTransposed, pack, randAway, randn, variants, writeInto, type BugSpec } from '../advanced/util.js';

const N = 2;
const IN = 4;
const OUT = 3;
const INPUT_SCALE = 1e6;

const BUGS: BugSpec[] = [
  {
    name: 'weight-grad-times-2',
    description: 'The weight gradient is doubled.',
    wrongTensors: ['W'],
  },
  {
    name: 'input-grad-weights-transposed',
    description: 'The input gradient reads W as if it were stored [in][out]: W[k][j] in place of W[j][k].',
    wrongTensors: ['input'],
  },
  {
    // Not reliably visible in float32: a flip moves each bias entry by 2|g| ≤ 6 against an
    // allowance of ≈ 4.5 (the error bar above), so detection would rest on one entry of three and
    // on the projection's seed; none of the three changes exceeds twice its error bar.
    name: 'bias-grad-sign-flipped',
    description: 'The bias gradient has the wrong sign (db −= g).',
    wrongTensors: ['b'],
    float64Only: true,
  },
];

export class DenseLargeOutputs implements Layer {
  private readonly W: NumericContainer;
  private readonly b: NumericContainer;
  private readonly dW: NumericContainer;
  private readonly db: NumericContainer;
  private readonly inputValues: number[];
  private x: Float64Array | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    const rng = createRng(31_301);
    this.W = pack('nested', dtype, randAway(rng, OUT * IN, 0.3, 0.7), [OUT, IN]);
    this.b = flatStore(dtype, randn(rng, OUT, 0.3));
    this.dW = pack('nested', dtype, new Float64Array(OUT * IN), [OUT, IN]);
    this.db = flatStore(dtype, new Float64Array(OUT));
    this.inputValues = randAway(rng, N * IN, 0.5 * INPUT_SCALE, 1.5 * INPUT_SCALE);
  }

  params(): Record<string, NumericContainer> {
    return { W: this.W, b: this.b };
  }

  grads(): Record<string, NumericContainer> {
    return { W: this.dW, b: this.db };
  }

  sampleInput(): unknown {
    return pack('tensor', this.dtype, this.inputValues, [N, IN]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    const y = matmulRowsByTransposed(x, flatten(this.W), N, IN, OUT);
    const b = flatten(this.b);
    for (let i = 0; i < y.length; i++) y[i] += b[i % OUT];
    this.x = x;
    return pack('tensor', this.dtype, y, [N, OUT]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error('dense-large-outputs: backward before forward');
    const x = this.x;
    const g = flatten(gradOutput);
    const w = flatten(this.W);
    const dW = new Float64Array(OUT * IN);
    const db = new Float64Array(OUT);
    const dx = new Float64Array(N * IN);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < OUT; j++) {
        const dy = g[n * OUT + j];
        db[j] += this.bug === 'bias-grad-sign-flipped' ? -dy : dy;
        for (let k = 0; k < IN; k++) {
          dW[j * IN + k] += (this.bug === 'weight-grad-times-2' ? 2 : 1) * dy * x[n * IN + k];
          dx[n * IN + k] += dy * (this.bug === 'input-grad-weights-transposed' ? w[k * OUT + j] : w[j * IN + k]);
        }
      }
    }
    writeInto(this.dW, dW);
    writeInto(this.db, db);
    return pack('tensor', this.dtype, dx, [N, IN]);
  }
}

export const denseLargeOutputsBiasEntry: ZooEntry = {
  name: 'dense-large-outputs-bias',
  nasty: true,
  make: (dtype) => new DenseLargeOutputs(dtype),
  bugs: variants((dtype, bug) => new DenseLargeOutputs(dtype, bug), BUGS),
};
