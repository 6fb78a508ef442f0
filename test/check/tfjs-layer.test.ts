/**
 * A real TensorFlow.js layer (test/zoo/tfjs/dense.ts): tf.Variables, tfjs ops, results read back
 * with `await tensor.data()`, so forward and backward return Promises. Checked through
 * `checkGradientsAsync` and the awaited matcher, against its synchronous `dataSync()` twin, and
 * for what it leaves behind: the layer bit for bit as it was, and no tensor leaked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { withoutWallTime } from '../helpers/without-wall-time.js';
import { checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { rejectionMessage, worstEntryLabels } from '../helpers/assertion-messages.js';
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state.js';
import { tf } from '../zoo/tfjs/backend.js';
import { TfjsDense, TfjsDenseSync, type TfjsDenseOptions } from '../zoo/tfjs/dense.js';

const sortedWorstEntries = (message: string): string[] => worstEntryLabels(message).sort();

const built: { dispose(): void }[] = [];
/** Builds a layer and frees its Variables after the file, so the leak counts below stay exact. */
function dense(options?: TfjsDenseOptions): TfjsDense {
  const layer = new TfjsDense(options);
  built.push(layer);
  return layer;
}
afterAll(() => {
  for (const layer of built) layer.dispose();
});

/** The tensors tfjs keeps alive, and the backend buffers behind them. */
function liveTensors(): { numTensors: number; numDataBuffers: number } {
  const { numTensors, numDataBuffers } = tf.memory();
  return { numTensors, numDataBuffers };
}

/** The bytes of every array the layer and its Variables hold, for a bit-for-bit comparison. */
function layerBytes(layer: TfjsDense): Record<string, number[]> {
  const bytes = (values: Float32Array): number[] => Array.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  const variables = layer.variableValues();
  return {
    'params.W': bytes(layer.params.W),
    'params.b': bytes(layer.params.b),
    'grads.W': bytes(layer.grads.W),
    'grads.b': bytes(layer.grads.b),
    'variable kernel': bytes(variables.kernel),
    'variable bias': bytes(variables.bias),
  };
}

const failingPositions = (report: GradientReport, tensor: string): number[][] =>
  report.tensors
    .find((t) => t.name === tensor)!
    .failures.map((failure) => failure.position)
    .sort((a, b) => a[0] - b[0]);

describe('a tfjs dense layer read back with await data()', () => {
  it('forward and backward return Promises: the sync entry point refuses it', () => {
    const layer = dense();
    expect(layer.forward(layer.sampleInput())).toBeInstanceOf(Promise);
    expect(() => checkGradients(layer)).toThrow('forward() returned a Promise. This entry point is synchronous: use checkGradientsAsync(layer)');
  });

  it('checkGradientsAsync: the correct layer passes in float32, every entry of W, b and the input checked', async () => {
    const report = await checkGradientsAsync(dense());
    expect(report.verdict).toBe('pass');
    expect(report.pass).toBe(true);
    expect(report.settings.dtype).toBe('float32');
    expect(report.problems).toEqual([]);
    expect(report.tensors.map((t) => [t.name, t.shape, t.dtype, t.pass, t.coverage.measured])).toEqual([
      ['W', [6], 'float32', true, 6],
      ['b', [2], 'float32', true, 2],
      ['input', [2, 3], 'float32', true, 6],
    ]);
    expect(report.band).toBe('correct');
  });

  it('checkGradientsAsync: weight gradient ×2 fails on all 6 entries of W, and only there', async () => {
    const report = await checkGradientsAsync(dense({ bug: 'weight-grad-times-2' }));
    expect(report.verdict).toBe('fail');
    expect(report.tensors.map((t) => [t.name, t.pass])).toEqual([
      ['W', false],
      ['b', true],
      ['input', true],
    ]);
    expect(failingPositions(report, 'W')).toEqual([[0], [1], [2], [3], [4], [5]]);
    for (const failure of report.tensors[0].failures) {
      expect(failure.kind).toBe('mismatch');
      expect(failure.analytic / failure.numeric).toBeCloseTo(2, 3);
    }
  });

  it('checkGradientsAsync: bias gradient from the first sample fails on b[0] and b[1], and only there', async () => {
    const report = await checkGradientsAsync(dense({ bug: 'bias-grad-first-sample' }));
    expect(report.verdict).toBe('fail');
    expect(report.tensors.map((t) => [t.name, t.pass])).toEqual([
      ['W', true],
      ['b', false],
      ['input', true],
    ]);
    expect(failingPositions(report, 'b')).toEqual([[0], [1]]);
  });

  it('through the matcher: awaited pass, .not on a buggy layer, and a failure naming the entries', async () => {
    await expect(dense()).toHaveCorrectGradients();
    await expect(dense({ bug: 'weight-grad-times-2' })).not.toHaveCorrectGradients();
    await expect(dense({ bug: 'bias-grad-first-sample' })).not.toHaveCorrectGradients();

    const weights = await rejectionMessage(() => expect(dense({ bug: 'weight-grad-times-2' })).toHaveCorrectGradients());
    expect(weights.split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(weights).toContain('6 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
    expect(sortedWorstEntries(weights)).toEqual(['W[0]', 'W[1]', 'W[2]', 'W[3]', 'W[4]', 'W[5]']);
    expect(weights).toMatch(/^\s+W: analytic ≈ 2 × numeric/m);

    const bias = await rejectionMessage(() => expect(dense({ bug: 'bias-grad-first-sample' })).toHaveCorrectGradients());
    expect(bias).toContain('2 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
    expect(sortedWorstEntries(bias)).toEqual(['b[0]', 'b[1]']);

    const negated = await rejectionMessage(() => expect(dense()).not.toHaveCorrectGradients());
    expect(negated.split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(negated).toContain("Expected the layer's gradients to disagree with finite differences, but they agree.");
  });
});

describe('the same layer, sync and async: one algorithm, identical reports', () => {
  const float64Bytes = (values: Float64Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

  for (const bug of [undefined, 'weight-grad-times-2', 'bias-grad-first-sample'] as const) {
    it(`${bug ?? 'correct'}: checkGradients(dataSync twin) equals await checkGradientsAsync(data() layer), bit for bit`, async () => {
      const twin = new TfjsDenseSync({ bug });
      built.push(twin);
      const syncReport = checkGradients(twin, { mode: 'exhaustive' });
      const asyncReport = await checkGradientsAsync(dense({ bug }), { mode: 'exhaustive' });

      expect(syncReport.verdict).toBe(bug === undefined ? 'pass' : 'fail');
      expect(syncReport.forwardCalls).toBeGreaterThan(100);
      expect(typeof asyncReport.mode.reason).toBe('string');
      // toStrictEqual compares numbers with Object.is (−0 ≠ 0, NaN = NaN) and typed arrays by class and element.
      expect(withoutWallTime(asyncReport)).toStrictEqual(withoutWallTime(syncReport));
      // And the arrays byte for byte, which also tells NaN payloads apart.
      for (const [i, tensor] of syncReport.tensors.entries()) {
        for (const key of ['analytic', 'numeric', 'errorEstimate'] as const) {
          expect(float64Bytes(asyncReport.tensors[i][key]).equals(float64Bytes(tensor[key])), `${tensor.name}.${key}`).toBe(true);
        }
      }
    });
  }
});

describe('what a check leaves behind', () => {
  it('the layer as it was: params and grads bit for bit, the Variables holding the same values', async () => {
    const layer = dense({ bug: 'weight-grad-times-2' });
    // A forward and backward first, so the grads and the cached input hold something to keep.
    await layer.forward(layer.sampleInput());
    await layer.backward({ data: Float32Array.from([0.3, -1.1, 0.7, 0.2]), shape: [2, 2] });
    expect(layer.grads.W.every((value) => value !== 0)).toBe(true);
    const bytes = layerBytes(layer);
    const state = captureDeepState(layer);

    await checkGradientsAsync(layer);
    expect(layerBytes(layer)).toEqual(bytes);
    expectSameDeepState(state, captureDeepState(layer));

    // The failing matcher path too.
    await rejectionMessage(() => expect(layer).toHaveCorrectGradients());
    expect(layerBytes(layer)).toEqual(bytes);
    expectSameDeepState(state, captureDeepState(layer));
  });

  it('no tensor leaks: the tfjs tensor count is the same before and after each of two checks', async () => {
    const layer = dense();
    const twin = new TfjsDenseSync();
    const start = liveTensors();

    await checkGradientsAsync(layer);
    const afterFirst = liveTensors();
    await checkGradientsAsync(layer);
    await expect(layer).toHaveCorrectGradients();
    checkGradients(twin);
    expect(afterFirst).toEqual(start);
    expect(liveTensors()).toEqual(start);

    // The layers' own tensors are the 2 Variables each: dispose() frees exactly those.
    twin.dispose();
    expect(liveTensors()).toEqual({ numTensors: start.numTensors - 2, numDataBuffers: start.numDataBuffers - 2 });
  });

  // Putting a Variable's old `dataId` back (which `assign` replaced and tfjs freed) would leave it
  // pointing at freed memory and leak 2 buffers per check: the snapshot leaves engine tensors to
  // their library, and the check's last forward, at the original values, assigns them back.
  it('a layer keeping its tf.Variables in a public field is still readable and leak-free after a check', async () => {
    const layer = dense({ exposeVariables: true });
    const start = liveTensors();
    await checkGradientsAsync(layer);
    await checkGradientsAsync(layer);
    expect(Array.from(layer.variables!.kernel.dataSync())).toEqual(Array.from(layer.params.W));
    expect(Array.from(layer.variables!.bias.dataSync())).toEqual(Array.from(layer.params.b));
    expect(liveTensors()).toEqual(start);
  });
});
