/**
 * Softmax + cross-entropy loss over a batch with fixed integer labels:
 *   L = (1/B)·Σ_n [log Σ_c e^(z[n][c]) − z[n][label_n]],   dL/dz[n][c] = (p[n][c] − 1[c = label_n]) / B.
 * forward returns a plain number (the mean loss; rounded to float32 in float32); backward(g)
 * scales by the upstream scalar g (the checker passes 1).
 *
 * Parameterless: no `params`, checked on the input gradient only (backward returns it).
 * Input: flat `Float64Array` logits (`Float32Array` in float32) of B·C entries, row-major; the
 * input gradient comes back in the same form. Sizes: batch 3, classes 4, labels [2, 0, 3].
 */
import type { Layer } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, fillLike, flatten, pack, randn, variants, type BugSpec } from './tensor-utils.js';
import { softmaxRows } from './softmax.js';

const BATCH = 3;
const CLASSES = 4;
const LABELS = [2, 0, 3];

const BUGS: BugSpec[] = [
  {
    name: 'missing-batch-mean',
    description: 'The gradient is not divided by the batch size although the loss is a mean over the batch.',
    wrongTensors: ['input'],
  },
  {
    name: 'missing-onehot-subtraction',
    description: 'The gradient is p instead of p − onehot(label).',
    wrongTensors: ['input'],
  },
  {
    name: 'label-off-by-one',
    description: 'The one-hot is placed at label + 1 (mod C): a 1-based/0-based index mix-up.',
    wrongTensors: ['input'],
  },
];

export class SoftmaxCrossEntropy implements Layer {
  private readonly inputValues: number[];
  private cache: { p: Float64Array; batch: number; template: unknown } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
    readonly labels: readonly number[] = LABELS,
    readonly classes = CLASSES,
  ) {
    checkBug(bug, BUGS);
    this.inputValues = randn(createRng(8_001), BATCH * CLASSES);
  }

  sampleInput(): unknown {
    return pack('typed', this.dtype, this.inputValues, [BATCH * CLASSES]);
  }

  forward(input: unknown): number {
    const z = flatten(input);
    const { classes } = this;
    const batch = z.length / classes;
    if (batch !== this.labels.length) throw new Error(`softmax-cross-entropy: ${batch} rows for ${this.labels.length} labels`);
    const p = softmaxRows(z, classes);
    this.cache = { p, batch, template: input };
    let loss = 0;
    for (let n = 0; n < batch; n++) loss -= Math.log(p[n * classes + this.labels[n]]);
    loss /= batch;
    return this.dtype === 'float32' ? Math.fround(loss) : loss;
  }

  backward(gradOutput: unknown = 1): unknown {
    if (this.cache === null) throw new Error('softmax-cross-entropy: backward before forward');
    const { p, batch, template } = this.cache;
    const { classes } = this;
    const g = typeof gradOutput === 'number' ? gradOutput : flatten(gradOutput)[0];
    const scale = this.bug === 'missing-batch-mean' ? g : g / batch;
    const dz = new Float64Array(p.length);
    for (let n = 0; n < batch; n++) {
      const label = this.bug === 'label-off-by-one' ? (this.labels[n] + 1) % classes : this.labels[n];
      for (let c = 0; c < classes; c++) {
        const onehot = this.bug !== 'missing-onehot-subtraction' && c === label ? 1 : 0;
        dz[n * classes + c] = scale * (p[n * classes + c] - onehot);
      }
    }
    return fillLike(template, this.dtype === 'float32' ? Float32Array.from(dz) : dz);
  }
}

export const softmaxCrossEntropyEntry: ZooEntry = {
  name: 'softmax-cross-entropy',
  make: (dtype) => new SoftmaxCrossEntropy(dtype),
  bugs: variants((dtype, bug) => new SoftmaxCrossEntropy(dtype, bug), BUGS),
};
