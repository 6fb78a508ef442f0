/**
 * Layers written in the style of real JavaScript ML libraries (a Matrix class with private storage
 * and a scalar field, three inputs, gradients handed only to an optimizer and averaged over the
 * batch), each made checkable with at most three lines of glue. The glue lines below (the #region
 * blocks) are the ones docs/wrapping-libraries.md shows; the corpus checks every bug at its
 * entries, like any zoo layer.
 */
import { namedInputs, registerTensorClass } from '../../../src/index.js';
import type { Layer } from '../../../src/layer/protocol.js';
import type { ZooEntry } from '../types.js';
import { variants } from '../tensor-utils.js';
import { CROSS_ATTENTION_BUGS, makeCrossAttention } from './attention.js';
import { Matrix } from './matrix.js';
import { makePReLUDense, PRELU_DENSE_BUGS } from './prelu-dense.js';
import { makeSimpleRNN, SIMPLE_RNN_BUGS } from './rnn.js';

declare module '../../../src/layer/protocol.js' {
  // For the types: a registered Matrix is a container wherever the protocol takes one.
  interface RegisteredTensorClasses {
    Matrix: Matrix;
  }
}

/** Once per library (a setup file): its Matrix, whose storage is #private, as a tensor class. */
export const unregisterMatrix = registerTensorClass<Matrix>({
  matches: (value) => value instanceof Matrix,
  shape: (m) => [m.rows, m.cols],
  get: (m, i) => m.get(Math.floor(i / m.cols), i % m.cols),
  set: (m, i, value) => m.set(Math.floor(i / m.cols), i % m.cols, value),
  create: (values, [rows, cols]) => Matrix.zeros(rows, cols).map((_, r, c) => values[r * cols + c]),
});

/** PReLUDense: Matrix weights, bias and input, a scalar `alpha` field, gradients assigned anew by backward. */
export function gluedPReLUDense(bug?: string): Layer {
  const dense = makePReLUDense(bug);
  // Glue (1 line): the Matrix fields by name, and alpha as a property parameter with its gradient field.
  // #region prelu-glue
  return Object.assign(dense, { params: () => [{ name: 'weights', value: dense.weights, grad: dense.dWeights }, { name: 'bias', value: dense.bias, grad: dense.dBias }, { property: 'alpha', grad: 'dAlpha' }] });
  // #endregion
}

/** CrossAttention: forward(query, key, value), backward returns [dQuery, dKey, dValue], += gradients. */
export function gluedCrossAttention(bug?: string): Layer {
  const attention = makeCrossAttention(bug);
  // Glue (1 line): the weights and their gradients by name, and the three inputs, named.
  // #region attention-glue
  return Object.assign(attention, { params: { Wq: attention.Wq, Wk: attention.Wk, Wv: attention.Wv }, grads: () => ({ Wq: attention.gradWq, Wk: attention.gradWk, Wv: attention.gradWv }), sampleInput: () => namedInputs(attention.sampleInputs()) });
  // #endregion
}

/** SimpleRNN over 3 steps: gradients exist only inside update(optimizer), averaged over the batch. */
export function gluedSimpleRNN(bug?: string): Layer {
  const rnn = makeSimpleRNN(bug);
  // Glue (2 lines, plus the option gradientFactor: 1 / 2 for the library's batch mean): an optimizer that only captures.
  // #region rnn-glue
  const grads = (): Record<string, Float64Array> => { const seen: Record<string, Float64Array> = {}; rnn.update({ step: (name, _param, grad) => (seen[name] = grad.slice()) }); return seen; };
  return Object.assign(rnn, { params: rnn.weights, grads });
  // #endregion
}

/** The RNN library averages parameter gradients over its batch of 2. */
export const SIMPLE_RNN_OPTIONS = { gradientFactor: 1 / 2 };

export const libraryZoo: ZooEntry[] = [
  {
    name: 'library-prelu-dense',
    make: () => gluedPReLUDense(),
    bugs: variants((_dtype, bug) => gluedPReLUDense(bug), PRELU_DENSE_BUGS),
    dtypes: ['float64'],
  },
  {
    name: 'library-cross-attention',
    make: () => gluedCrossAttention(),
    bugs: variants((_dtype, bug) => gluedCrossAttention(bug), CROSS_ATTENTION_BUGS),
    dtypes: ['float64'],
  },
  {
    name: 'library-simple-rnn',
    make: () => gluedSimpleRNN(),
    bugs: variants((_dtype, bug) => gluedSimpleRNN(bug), SIMPLE_RNN_BUGS),
    dtypes: ['float64'],
    options: SIMPLE_RNN_OPTIONS,
  },
];
