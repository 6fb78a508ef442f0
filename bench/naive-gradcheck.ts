/**
 * The seed algorithm the checker is compared with: for every entry, copy the whole tensor twice
 * (θ + ε and θ − ε), have the layer compute with each copy, call forward on each, and take the
 * central difference. No error estimate, no step choice, no verdict: just the cost of the obvious
 * implementation, against which the checker's speed is measured.
 */

/** A tensor the naive algorithm can hand whole copies to. */
export interface CopyableTensor {
  name: string;
  /** The values the layer computes with now. */
  readonly values: Float64Array;
  /** Makes the layer compute with `values` (by reference: the cheapest way to use a copy). */
  install(values: Float64Array): void;
}

export const NAIVE_EPSILON = 1e-7;

/** (J(θ + ε·e_i) − J(θ − ε·e_i)) / 2ε, copying the whole tensor for each side. */
export function naiveEntryGradient(tensor: CopyableTensor, index: number, loss: () => number): number {
  const original = tensor.values;
  const plus = original.slice();
  plus[index] += NAIVE_EPSILON;
  const minus = original.slice();
  minus[index] -= NAIVE_EPSILON;
  tensor.install(plus);
  const lossPlus = loss();
  tensor.install(minus);
  const lossMinus = loss();
  tensor.install(original);
  return (lossPlus - lossMinus) / (2 * NAIVE_EPSILON);
}

/** One entry of one tensor, by position in the tensor list. */
export interface EntryRef {
  tensor: number;
  index: number;
}

/** The naive gradient of each listed entry; returns their sum so the work cannot be optimized away. */
export function naiveGradients(tensors: CopyableTensor[], entries: readonly EntryRef[], loss: () => number): number {
  let sum = 0;
  for (const entry of entries) sum += naiveEntryGradient(tensors[entry.tensor], entry.index, loss);
  return sum;
}
