/**
 * One case per protocol form a library layer needs (accessors, scalar fields, a registered tensor
 * class, gradient functions, captured update steps, several inputs, no input, a declared gradient
 * factor): a correct layer and a planted bug with the entries it makes wrong. The matcher tests
 * under Vitest and Jest run the same cases, so both runners are held to the same verdicts.
 */
import type { GradientCheckOptions } from '../../../src/check/options.js';
import type { Layer } from '../../../src/layer/protocol.js';
import { L2Regularizer, ScaledProduct } from '../protocol/multi-input.js';
import { PRIVATE_SCALE_FORMS, PrivateScale } from '../protocol/private-scale.js';
import { gluedCrossAttention, gluedPReLUDense, gluedSimpleRNN, SIMPLE_RNN_OPTIONS } from './index.js';

export interface ProtocolFormCase {
  /** The protocol form the case exercises. */
  form: string;
  make(): Layer;
  /** The same layer with one planted bug. */
  buggy(): Layer;
  options?: GradientCheckOptions;
  /** Every entry the report lists as wrong belongs to one of these tensors… */
  wrongTensors: string[];
  /** …and, where the bug is that precise, the listed entries are exactly these labels. */
  wrongEntries?: string[];
}

const [entryAccessors, scalarAccessors, accessorValues] = Object.values(PRIVATE_SCALE_FORMS);
const labels = (name: string, positions: string[]): string[] => positions.map((position) => `${name}[${position}]`);

export const PROTOCOL_FORM_CASES: ProtocolFormCase[] = [
  {
    form: 'entry accessors get(i)/set(i, v), whole-array read()/write(), a property parameter, a gradient accessor',
    make: () => entryAccessors(new PrivateScale()),
    buggy: () => entryAccessors(new PrivateScale('dc-first-entry-only')),
    wrongTensors: ['c'],
    wrongEntries: labels('c', ['1', '2', '3', '4', '5']),
  },
  {
    form: 'a scalar accessor get()/set(v) with its gradient from a function returning a number',
    make: () => scalarAccessors(new PrivateScale()),
    buggy: () => scalarAccessors(new PrivateScale('dalpha-sign-flipped')),
    wrongTensors: ['alpha'],
    wrongEntries: ['alpha'],
  },
  {
    form: 'accessors as values of a params record, gradients from grads()',
    make: () => accessorValues(new PrivateScale()),
    buggy: () => accessorValues(new PrivateScale('dw-times-2')),
    wrongTensors: ['w'],
    wrongEntries: labels('w', ['0,0', '0,1', '0,2', '1,0', '1,1', '1,2']),
  },
  {
    form: 'a registered Matrix class with private storage and a scalar number field',
    make: () => gluedPReLUDense(),
    buggy: () => gluedPReLUDense('bias-grad-first-row-only'),
    wrongTensors: ['bias'],
    wrongEntries: labels('bias', ['0,0', '0,1', '0,2', '0,3', '0,4']),
  },
  {
    form: 'the scalar field of the Matrix layer',
    make: () => gluedPReLUDense(),
    buggy: () => gluedPReLUDense('alpha-grad-uses-output'),
    wrongTensors: ['alpha'],
    wrongEntries: ['alpha'],
  },
  {
    form: 'three named inputs, backward returning their gradients in order',
    make: () => gluedCrossAttention(),
    buggy: () => gluedCrossAttention('value-grad-not-transposed'),
    wrongTensors: ['value'],
  },
  {
    form: 'two positional inputs, inputs(a, b), backward returning [da, db]',
    make: () => new ScaledProduct('float64'),
    buggy: () => new ScaledProduct('float64', 'db-entry-wrong'),
    wrongTensors: ['input[1]'],
    wrongEntries: ['input[1][0,2]'],
  },
  {
    form: 'no input: forward() of the parameters alone',
    make: () => new L2Regularizer('float64'),
    buggy: () => new L2Regularizer('float64', 'dW-entry-doubled'),
    wrongTensors: ['W'],
    wrongEntries: ['W[1,2]'],
  },
  {
    form: 'gradients captured from update(optimizer), averaged over the batch (gradientFactor 1/2)',
    make: () => gluedSimpleRNN(),
    buggy: () => gluedSimpleRNN('recurrent-grad-uses-current-state'),
    options: SIMPLE_RNN_OPTIONS,
    wrongTensors: ['Wh'],
  },
];
