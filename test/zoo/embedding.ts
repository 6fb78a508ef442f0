/**
 * Embedding lookup: y[n] = table[idx[n]] (a row of the V × D table per token).
 * Backward scatter-adds: dTable[idx[n]] += g[n] (a repeated index receives the sum of its rows).
 *
 * Protocol form (d): `params()` / `grads()` METHODS returning form (b) records `{ table }`; the
 * table and its gradient are tensor-like `{ data: Float64Array, shape: [V, D] }` (`Float32Array`
 * data in float32). Gradients accumulated with `+=` into the existing `dTable`.
 * Input: integer token ids as a flat `number[]` (not differentiable); output: nested `[N][D]`
 * (`number[][]`, `Float32Array` rows in float32). backward returns nothing (undefined), so only
 * `table` is checked. Sizes: V 6, D 4 (24 parameters), ids [3, 1, 3, 5, 0] (id 3 repeats).
 */
import type { Layer, TensorLike } from '../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from './types.js';
import { checkBug, createRng, flatten, pack, randn, variants, zeros, type BugSpec } from './tensor-utils.js';

const VOCAB = 6;
const DIM = 4;
const IDS = [3, 1, 3, 5, 0];

const BUGS: BugSpec[] = [
  {
    name: 'repeated-index-overwrites',
    description: 'dTable[idx] = g[n] instead of +=: a token that occurs twice keeps only its last gradient.',
    wrongTensors: ['table'],
  },
  {
    name: 'row-shifted-by-one',
    description: 'The gradient goes to row idx + 1 (as if row 0 were reserved for padding); the last row’s falls off the end.',
    wrongTensors: ['table'],
  },
  {
    name: 'upstream-rows-reversed',
    description: 'Token n receives the upstream gradient of position N − 1 − n (wrong index into g).',
    wrongTensors: ['table'],
  },
];

export class Embedding implements Layer {
  readonly table: TensorLike;
  readonly dTable: TensorLike;
  private cache: { ids: number[] } | null = null;

  constructor(
    private readonly dtype: Dtype,
    private readonly bug?: string,
  ) {
    checkBug(bug, BUGS);
    this.table = pack('tensor', dtype, randn(createRng(12_001), VOCAB * DIM), [VOCAB, DIM]) as TensorLike;
    this.dTable = { data: zeros(dtype, VOCAB * DIM), shape: [VOCAB, DIM] };
  }

  params(): { table: TensorLike } {
    return { table: this.table };
  }

  grads(): { table: TensorLike } {
    return { table: this.dTable };
  }

  sampleInput(): unknown {
    return [...IDS];
  }

  forward(input: unknown): unknown {
    const ids = Array.from(flatten(input), (v) => {
      const id = Math.round(v);
      if (id < 0 || id >= VOCAB) throw new Error(`embedding: token id ${v} is outside 0..${VOCAB - 1}`);
      return id;
    });
    this.cache = { ids };
    const data = this.table.data;
    const y = new Float64Array(ids.length * DIM);
    ids.forEach((id, n) => {
      for (let d = 0; d < DIM; d++) y[n * DIM + d] = data[id * DIM + d];
    });
    return pack('nested', this.dtype, y, [ids.length, DIM]);
  }

  backward(gradOutput: unknown): undefined {
    if (this.cache === null) throw new Error('embedding: backward before forward');
    const { ids } = this.cache;
    const g = flatten(gradOutput);
    const grad = this.dTable.data;
    const N = ids.length;
    ids.forEach((id, n) => {
      const row = this.bug === 'row-shifted-by-one' ? id + 1 : id;
      const source = this.bug === 'upstream-rows-reversed' ? N - 1 - n : n;
      for (let d = 0; d < DIM; d++) {
        const k = row * DIM + d;
        // Out-of-range writes (row-shifted-by-one on the last row) are dropped, as a typed array does.
        if (k >= grad.length) continue;
        grad[k] = this.bug === 'repeated-index-overwrites' ? g[source * DIM + d] : grad[k] + g[source * DIM + d];
      }
    });
    return undefined;
  }
}

export const embeddingEntry: ZooEntry = {
  name: 'embedding',
  make: (dtype) => new Embedding(dtype),
  bugs: variants((dtype, bug) => new Embedding(dtype, bug), BUGS),
};
