/**
 * `fromTfjs` with the real tfjs-core and its CPU backend: a dense layer written the way a tfjs user
 * writes it (Variables, ops, a hand-written backward in ops, since `tf.grad` has no gradients
 * registered in Node, see test/zoo/tfjs/backend.ts), checked through the adapter with both
 * read-backs. Asserts the verdicts and the entries named, that `dataSync()` and `await data()` give
 * the same report, and what a check leaves behind: no tensor, and the Variables as they were.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { withoutWallTime } from '../helpers/without-wall-time.js';
import { fromTfjs, type TfjsGradients, type TfjsNamespace } from '../../src/adapters/tfjs.js';
import { checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import { rejectionMessage, worstEntryLabels } from '../helpers/assertion-messages.js';
import { tf } from '../zoo/tfjs/backend.js';

const sortedWorstEntries = (message: string): string[] => worstEntryLabels(message).sort();

type Bug = 'weight-grad-times-2' | 'bias-grad-first-sample';

// Fixed, distinct, not-round values: every entry of every gradient is non-zero and different.
const KERNEL = [
  [0.4, -0.7],
  [1.3, 0.2],
  [-0.5, 0.9],
]; // [in 3][out 2]
const BIAS = [0.1, -0.3];
const INPUT = [
  [0.5, -1.2, 0.8],
  [1.5, 0.3, -0.6],
]; // [batch 2][in 3]

const variables: tf.Variable[] = [];
afterAll(() => tf.dispose(variables));

/** The user's side: two Variables, y = x·K + b, and its backward in tfjs ops. */
function denseParts(bug?: Bug) {
  // tidy frees the initial tensors; Variables are never tracked by a scope, so they survive it.
  const kernel = tf.tidy(() => tf.variable(tf.tensor2d(KERNEL)));
  const bias = tf.tidy(() => tf.variable(tf.tensor1d(BIAS)));
  variables.push(kernel, bias);
  return {
    kernel,
    bias,
    variables: { W: kernel, b: bias },
    forward: (x: tf.Tensor) => tf.add(tf.matMul(x, kernel), bias),
    backward: (dy: tf.Tensor, x: tf.Tensor): TfjsGradients<'W' | 'b'> => {
      const dW = tf.matMul(x, dy, true, false);
      return {
        grads: {
          W: bug === 'weight-grad-times-2' ? tf.mul(dW, 2) : dW,
          b: bug === 'bias-grad-first-sample' ? tf.reshape(tf.slice(dy, [0, 0], [1, 2]), [2]) : tf.sum(dy, 0),
        },
        input: tf.matMul(dy, kernel, false, true),
      };
    },
    input: INPUT,
  };
}

const dense = (bug?: Bug) => {
  const { variables: v, forward, backward, input } = denseParts(bug);
  return fromTfjs(tf, { variables: v, forward, backward, input });
};
const denseAsync = (bug?: Bug) => {
  const { variables: v, forward, backward, input } = denseParts(bug);
  return fromTfjs(tf, { variables: v, forward, backward, input, readback: 'async' });
};

const numTensors = (): number => tf.memory().numTensors;

describe('fromTfjs: a correct dense layer', () => {
  it("passes with readback 'sync': float32, every entry of W [3,2], b [2] and the input [2,3] measured", () => {
    const layer = dense();
    expect(layer).toHaveCorrectGradients();
    const report = checkGradients(layer);
    expect(report.verdict).toBe('pass');
    expect(report.settings.dtype).toBe('float32');
    expect(report.tensors.map((t) => [t.name, t.shape, t.pass, t.coverage.measured])).toEqual([
      ['W', [3, 2], true, 6],
      ['b', [2], true, 2],
      ['input', [2, 3], true, 6],
    ]);
  });

  it("passes with readback 'async': forward and backward return Promises, the matcher is awaited", async () => {
    const layer = denseAsync();
    expect(layer.forward(INPUT)).toBeInstanceOf(Promise);
    await expect(layer).toHaveCorrectGradients();
    const report = await checkGradientsAsync(layer);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => [t.name, t.pass])).toEqual([
      ['W', true],
      ['b', true],
      ['input', true],
    ]);
  });

  it('its params and grads are the Variables as { data: Float32Array, shape }, and sampleInput() is the given input', () => {
    const layer = dense();
    expect(layer.params.W).toEqual({ data: Float32Array.from(KERNEL.flat()), shape: [3, 2] });
    expect(layer.params.b).toEqual({ data: Float32Array.from(BIAS), shape: [2] });
    expect(layer.grads.W).toEqual({ data: new Float32Array(6), shape: [3, 2] });
    expect(layer.sampleInput?.()).toEqual({ data: Float32Array.from(INPUT.flat()), shape: [2, 3] });
  });

  it('forward assigns copies: after it, writing into params does not reach the Variables', () => {
    const { kernel, variables: v, forward, backward } = denseParts();
    const layer = fromTfjs(tf, { variables: v, forward, backward });
    layer.params.W.data[0] = 2;
    layer.forward(INPUT);
    expect(kernel.dataSync()[0]).toBe(2);
    layer.params.W.data[0] = 3;
    expect(kernel.dataSync()[0]).toBe(2);
  });

  it('accepts the input as a tf.Tensor, { data, shape }, or through the input option as nested arrays (Float32Array rows too)', () => {
    const { variables: v, forward, backward } = denseParts();
    const asTensor = tf.tensor2d(INPUT);
    const fromTensor = fromTfjs(tf, { variables: v, forward, backward, input: asTensor });
    asTensor.dispose();
    expect(fromTensor.sampleInput?.()).toEqual({ data: Float32Array.from(INPUT.flat()), shape: [2, 3] });
    expect(fromTensor).toHaveCorrectGradients();
    const fromObject = fromTfjs(tf, { variables: v, forward, backward, input: { data: Float64Array.from(INPUT.flat()), shape: [2, 3] } });
    expect(checkGradients(fromObject).tensors.map((t) => t.shape)).toEqual([[3, 2], [2], [2, 3]]);
    const noInput = fromTfjs(tf, { variables: v, forward, backward });
    expect(noInput.sampleInput).toBeUndefined();
    expect(noInput).toHaveCorrectGradients({ input: INPUT.map((row) => Float32Array.from(row)) });
    expect(() => noInput.forward([[1, 2, 3], [4, 5]])).toThrow('fromTfjs: forward() was given an input nested arrays that are not a rectangle of numbers');
  });

  it('token ids (an int32 tensor) stay int32 and are not perturbed: an embedding checks its table only', () => {
    const table = tf.tidy(() => tf.variable(tf.tensor2d([[0.3, -0.2], [1.1, 0.4], [-0.7, 0.9]])));
    variables.push(table);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const layer = fromTfjs(tf, {
      variables: { E: table },
      forward: (tokens) => tf.gather(table, tokens),
      // Each row of dy goes to the row of E its token picked; a token picked twice gets both.
      backward: (dy, tokens) => ({ grads: { E: tf.unsortedSegmentSum(dy, tokens as tf.Tensor1D, 3) } }),
      input: ids,
    });
    ids.dispose();
    expect(layer.sampleInput?.()).toEqual({ data: Int32Array.from([2, 0, 2]), shape: [3] });
    const report = checkGradients(layer);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => [t.name, t.shape, t.coverage.measured])).toEqual([['E', [3, 2], 6]]);
  });

  it('a layer ending in a scalar loss (rank-0 tensor) returns a number and gets backward(1)', () => {
    const { kernel, bias } = denseParts();
    const layer = fromTfjs(tf, {
      variables: { W: kernel, b: bias },
      // L = Σ tanh(x·K + b)
      forward: (x) => tf.sum(tf.tanh(tf.add(tf.matMul(x, kernel), bias))),
      backward: (dL, x) => {
        const y = tf.tanh(tf.add(tf.matMul(x, kernel), bias));
        const dz = tf.mul(dL, tf.sub(1, tf.square(y)));
        return { grads: { W: tf.matMul(x, dz, true, false), b: tf.sum(dz, 0) }, input: tf.matMul(dz, kernel, false, true) };
      },
      input: INPUT,
    });
    expect(typeof layer.forward(INPUT)).toBe('number');
    const report = checkGradients(layer);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['W', 'b', 'input']);
  });
});

describe('fromTfjs: buggy dense layers fail, naming the entries', () => {
  it('weight gradient ×2: all 6 entries of W, by their 2-D positions, and nothing else (sync and async)', async () => {
    const sync = await rejectionMessage(() => expect(dense('weight-grad-times-2')).toHaveCorrectGradients());
    const async = await rejectionMessage(() => expect(denseAsync('weight-grad-times-2')).toHaveCorrectGradients());
    for (const message of [sync, async]) {
      expect(message.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
      expect(message).toContain('6 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
      expect(sortedWorstEntries(message)).toEqual(['W[0,0]', 'W[0,1]', 'W[1,0]', 'W[1,1]', 'W[2,0]', 'W[2,1]']);
      expect(message).toMatch(/^\s+W: analytic ≈ 2 × numeric/m);
    }
  });

  it('bias gradient of the first sample only: b[0] and b[1]', async () => {
    expect(dense('bias-grad-first-sample')).not.toHaveCorrectGradients();
    await expect(denseAsync('bias-grad-first-sample')).not.toHaveCorrectGradients();
    const message = await rejectionMessage(() => expect(dense('bias-grad-first-sample')).toHaveCorrectGradients());
    expect(message).toContain('2 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
    expect(sortedWorstEntries(message)).toEqual(['b[0]', 'b[1]']);
  });
});

describe("readback 'sync' and 'async' give identical reports", () => {
  /** Everything but `mode.reason` (it carries a timing estimate). */

  for (const bug of [undefined, 'weight-grad-times-2', 'bias-grad-first-sample'] as const) {
    it(`${bug ?? 'correct'}: checkGradients(sync) equals await checkGradientsAsync(async), every number`, async () => {
      const syncReport = checkGradients(dense(bug));
      const asyncReport = await checkGradientsAsync(denseAsync(bug));
      expect(syncReport.verdict).toBe(bug === undefined ? 'pass' : 'fail');
      expect(syncReport.forwardCalls).toBeGreaterThan(100);
      expect(withoutWallTime(asyncReport)).toStrictEqual(withoutWallTime(syncReport));
    });
  }
});

describe('what a check leaves behind', () => {
  const values = (variable: tf.Variable): number[] => Array.from(variable.dataSync());

  it('no tensor: the tfjs tensor count is the same after passing and failing checks, sync and async', async () => {
    const correct = dense();
    const buggy = denseAsync('weight-grad-times-2');
    const start = numTensors();
    checkGradients(correct);
    expect(numTensors()).toBe(start);
    expect(correct).toHaveCorrectGradients();
    await checkGradientsAsync(buggy);
    await rejectionMessage(() => expect(buggy).toHaveCorrectGradients());
    await checkGradientsAsync(denseAsync());
    expect(numTensors()).toBe(start + 2); // the 2 Variables of the last layer, and nothing else
  });

  it('the Variables hold their original values, after a passing and a failing check', async () => {
    const { kernel, bias, variables: v, forward, backward, input } = denseParts('bias-grad-first-sample');
    const layer = fromTfjs(tf, { variables: v, forward, backward, input, readback: 'async' });
    await checkGradientsAsync(layer);
    expect(values(kernel)).toEqual(Array.from(Float32Array.from(KERNEL.flat())));
    await rejectionMessage(() => expect(layer).toHaveCorrectGradients());
    expect(values(kernel)).toEqual(Array.from(Float32Array.from(KERNEL.flat())));
    expect(values(bias)).toEqual(Array.from(Float32Array.from(BIAS)));
  });

  it('a forward that throws at a perturbed point: the error passes through and the Variables are put back', async () => {
    for (const readback of ['sync', 'async'] as const) {
      const { kernel, bias, variables: v, forward, backward, input } = denseParts();
      const failure = new Error('out of memory');
      // Throws on the 3rd call at which the kernel Variable holds a perturbed value (the adapter assigned it already).
      const original = Array.from(Float32Array.from(KERNEL.flat()));
      let perturbedCalls = 0;
      const throwing = (x: tf.Tensor): tf.Tensor => {
        if (values(kernel).some((value, i) => value !== original[i])) perturbedCalls += 1;
        if (perturbedCalls === 3) throw failure;
        return forward(x);
      };
      const start = numTensors();
      const spec = { variables: v, forward: throwing, backward, input };
      const run = readback === 'sync' ? () => checkGradients(fromTfjs(tf, spec)) : () => checkGradientsAsync(fromTfjs(tf, { ...spec, readback }));
      await expect(Promise.resolve().then(run)).rejects.toBe(failure);
      expect(perturbedCalls, readback).toBe(3);
      expect(values(kernel), readback).toEqual(Array.from(Float32Array.from(KERNEL.flat())));
      expect(values(bias), readback).toEqual(Array.from(Float32Array.from(BIAS)));
      expect(numTensors(), readback).toBe(start);
    }
  });
});

describe('misuse is named', () => {
  const parts = () => denseParts();

  it('a tf that is not the namespace, a Variable that is not float32, a bad readback', () => {
    const { variables: v, forward, backward } = parts();
    expect(() => fromTfjs({} as TfjsNamespace, { variables: v, forward, backward })).toThrow(
      "fromTfjs(tf, spec): tf must be the tfjs namespace (import * as tf from '@tensorflow/tfjs-core'), but got an object with keys [].",
    );
    const ids = tf.tidy(() => tf.variable(tf.tensor1d([1, 2], 'int32')));
    variables.push(ids);
    expect(() => fromTfjs(tf, { variables: { ids }, forward, backward: () => ({ grads: { ids } }) })).toThrow(
      "fromTfjs: spec.variables.ids has dtype 'int32'; only float32 Variables can take a finite-difference step.",
    );
    expect(() => fromTfjs(tf, { variables: v, forward, backward, readback: 'later' as 'async' })).toThrow(
      'fromTfjs: spec.readback must be \'sync\' or \'async\', but got string "later".',
    );
  });

  it('a backward that leaves out a Variable, or returns a gradient of the wrong shape, leaking nothing', () => {
    const { kernel, variables: v, forward } = parts();
    const start = numTensors();
    const missing = fromTfjs(tf, {
      variables: v,
      forward,
      // @ts-expect-error grads must name every Variable
      backward: (dy, x) => ({ grads: { W: tf.matMul(x, dy, true, false) } }),
      input: INPUT,
    });
    expect(() => checkGradients(missing)).toThrow('fromTfjs: spec.backward() returned as grads.b undefined; it must be a tf.Tensor.');
    const transposed = fromTfjs(tf, {
      variables: v,
      forward,
      backward: (dy, x) => ({ grads: { W: tf.matMul(dy, x, true, false), b: tf.sum(dy, 0) }, input: tf.matMul(dy, kernel, false, true) }),
      input: INPUT,
    });
    expect(() => checkGradients(transposed)).toThrow(
      "fromTfjs: spec.backward() returned grads.W of shape [2, 3] for the Variable 'W' of shape [3, 2]; they must match.",
    );
    expect(numTensors()).toBe(start);
  });

  it('types: an async read-back makes the matcher a Promise to await', async () => {
    const pending: Promise<void> = expect(denseAsync()).toHaveCorrectGradients();
    await pending;
    // @ts-expect-error a sync read-back keeps a sync matcher
    const notPending: Promise<void> = expect(dense()).toHaveCorrectGradients();
    void notPending;
  });
});
