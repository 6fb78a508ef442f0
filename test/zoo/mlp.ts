/**
 * Two-layer perceptron composed from the zoo's own classes: fc1 (Dense 4 → 5) → Tanh → fc2 (Dense 5 → 3),
 * over a batch of 3. backward chains fc2.backward → tanh.backward → fc1.backward.
 *
 * Protocol form (d) returning form (a): a `params()` METHOD that builds fresh records
 * `[{ name: 'fc1.W', value, grad, shape }, …]` from the sub-layers on every call. Both dense
 * layers run in `gradMode: 'allocate'`: every backward assigns NEW grad arrays (they are null
 * before the first backward), which the next `params()` call points at.
 * Input: nested `[3][4]` (`number[][]`, `Float32Array` rows in float32); output nested `[3][3]`;
 * backward returns the input gradient in the input's form. 43 parameters.
 */
import type { Layer, ParamRecord } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { Dense } from './dense.js';
import { Tanh } from './tanh.js';
import { checkBug, createRng, pack, randn, variants, type BugSpec } from './tensor-utils.js';

const BATCH = 3;
const IN = 4;
const HIDDEN = 5;
const OUT = 3;
/**
 * Chosen (with fc1's weight scale 1) so every hidden pre-activation has |h| in [0.46, 3.2]: the two
 * tanh bugs then change every affected gradient entry by over 10% (3% under other projections).
 */
const SEEDS = { fc1: 13_052, fc2: 13_002, input: 14_503 };

const BUGS: BugSpec[] = [
  {
    name: 'hidden-derivative-from-pre-activation',
    description: 'The hidden tanh uses 1 − h² of its input h instead of 1 − tanh(h)² of its output.',
    wrongTensors: ['fc1.W', 'fc1.b', 'input'],
  },
  {
    name: 'activation-backward-skipped',
    description: 'backward passes fc2’s input gradient straight to fc1, forgetting the tanh in between.',
    wrongTensors: ['fc1.W', 'fc1.b', 'input'],
  },
  {
    name: 'fc2-bias-grad-first-sample-only',
    description: 'fc2’s bias gradient takes the first sample’s upstream gradient instead of summing over the batch.',
    wrongTensors: ['fc2.b'],
  },
  {
    name: 'fc1-weight-grad-divided-by-batch',
    description: 'fc1’s weight gradient is divided by the batch size (mean/sum mix-up in one layer only).',
    wrongTensors: ['fc1.W'],
  },
];

export class Mlp implements Layer {
  readonly fc1: Dense;
  readonly act: Tanh;
  readonly fc2: Dense;
  private readonly inputValues: number[];

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
    seeds: { fc1: number; fc2: number; input: number } = SEEDS,
  ) {
    checkBug(bug, BUGS);
    this.fc1 = new Dense(dtype, {
      inSize: IN,
      outSize: HIDDEN,
      batch: BATCH,
      seed: seeds.fc1,
      weightScale: 1,
      gradMode: 'allocate',
      bug: bug === 'fc1-weight-grad-divided-by-batch' ? 'weight-grad-divided-by-batch' : undefined,
    });
    this.act = new Tanh(dtype, bug === 'hidden-derivative-from-pre-activation' ? 'derivative-from-input' : undefined);
    this.fc2 = new Dense(dtype, {
      inSize: HIDDEN,
      outSize: OUT,
      batch: BATCH,
      seed: seeds.fc2,
      gradMode: 'allocate',
      bug: bug === 'fc2-bias-grad-first-sample-only' ? 'bias-grad-first-sample-only' : undefined,
    });
    this.inputValues = randn(createRng(seeds.input), BATCH * IN);
  }

  params(): ParamRecord[] {
    const prefixed = (prefix: string, layer: Dense): ParamRecord[] =>
      layer.params.map((record) => ({ ...record, name: `${prefix}.${record.name}` }));
    return [...prefixed('fc1', this.fc1), ...prefixed('fc2', this.fc2)];
  }

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [BATCH, IN]);
  }

  forward(input: unknown): unknown {
    return this.fc2.forward(this.act.forward(this.fc1.forward(input)));
  }

  backward(gradOutput: unknown): unknown {
    const gradHidden = this.fc2.backward(gradOutput);
    const gradPre = this.bug === 'activation-backward-skipped' ? gradHidden : this.act.backward(gradHidden);
    return this.fc1.backward(gradPre);
  }
}

export const mlpEntry: ZooEntry = {
  name: 'mlp',
  make: (dtype) => new Mlp(dtype),
  bugs: variants((dtype, bug) => new Mlp(dtype, bug), BUGS),
};
