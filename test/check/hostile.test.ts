/**
 * The check under awkward layers, faults and bad input, as a hostile user would write them. Every
 * case asserts the verdict or the error kind, and that every value reachable from the layer (and
 * from the caller's input) is bit for bit as it was: getters, Maps, caches, non-enumerable and
 * Symbol-keyed fields included.
 */
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../helpers/assertion-messages.js';
import { withoutWallTime } from '../helpers/without-wall-time.js';
import { AsyncLayerError, checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import { OptionsError } from '../../src/check/options.js';
import type { GradientReport } from '../../src/check/report-types.js';
import { InputError } from '../../src/layer/input.js';
import { ContainerError } from '../../src/layer/numeric-view.js';
import { LayerProtocolError } from '../../src/layer/params.js';
import { failureDiff, formatReport } from '../../src/report/format-report.js';
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state.js';
import { checkKeepingState as check, keepsState, thrownKeepingState as thrownBy } from '../helpers/check-keeping-state.js';
import { biases, inputs, rows, weights } from '../zoo/hostile/affine.js';
import { AffineLayer } from '../zoo/hostile/affine-layer.js';
import {
  AsyncAffine,
  BackedTensorLayer,
  DriftingLayer,
  DropoutAffine,
  FaultyLayer,
  GradCopies,
  literalWithAccessors,
  MaskedInputLayer,
  proxied,
  RaggedSequenceLayer,
  recordsLayer,
  SharedBufferLayer,
  TensorClassLayer,
  WithConfigGetters,
  WithHiddenState,
  WithPrivateCounter,
} from '../zoo/hostile/layers.js';
import { createRng } from '../zoo/tensor-utils.js';

const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const failingTensors = (report: GradientReport): string[] => report.tensors.filter((t) => t.failures.length > 0).map((t) => t.name);

describe('accessors survive the check (no false pass on the next check)', () => {
  it('an object literal with get params() / get grads() passes twice, both accessors intact', () => {
    const layer = literalWithAccessors();
    const first = check(layer);
    const second = check(layer);
    expect(first.verdict).toBe('pass');
    expect(second.tensors.map((t) => t.name)).toEqual(['W', 'b', 'input']);
    expect(typeof Object.getOwnPropertyDescriptor(layer, 'params')?.get).toBe('function');
    expect(typeof Object.getOwnPropertyDescriptor(layer, 'grads')?.get).toBe('function');
  });

  it('a bias gradient from the first sample only fails on every check, not just the first', () => {
    const layer = literalWithAccessors('bias-first-sample');
    for (let run = 0; run < 3; run++) {
      const report = check(layer);
      expect(report.verdict).toBe('fail');
      expect(failingTensors(report)).toEqual(['b']);
    }
    const unchanged = keepsState(layer);
    expect(() => expect(layer).toHaveCorrectGradients()).toThrow(/1 of 3 tensors/);
    expect(layer).not.toHaveCorrectGradients();
    unchanged();
  });

  it('getters on reachable objects and on the prototype are neither deleted nor called', () => {
    const layer = new WithConfigGetters();
    const report = check(layer);
    expect(report.verdict).toBe('pass');
    expect(layer.getterCalls).toBe(0);
    expect(typeof Object.getOwnPropertyDescriptor(layer.config, 'lr')?.get).toBe('function');
    expect(layer.config.lr).toBe(0.01);
  });

  it('params exposed by Object.defineProperty, non-enumerable, are found and kept', () => {
    const layer = new AffineLayer();
    const hidden = { W: layer.W, b: layer.b };
    Object.defineProperty(layer, 'params', { value: hidden, enumerable: false, writable: false, configurable: false });
    const report = check(layer);
    expect(report.verdict).toBe('pass');
    expect(Object.getOwnPropertyDescriptor(layer, 'params')).toMatchObject({ enumerable: false, writable: false, configurable: false, value: hidden });
  });
});

describe('state forward changes is put back', () => {
  it('Symbol-keyed and non-enumerable fields, Map, Set, Date and a call counter', () => {
    const layer = new WithHiddenState();
    const report = check(layer);
    expect(report.verdict).toBe('pass');
    expect(layer.calls).toBe(0);
    expect([...layer.memo.keys()]).toEqual(['initial']);
    expect([...layer.seen]).toEqual([0]);
    expect(layer.lastCall.getTime()).toBe(0);
  });

  it('a #private counter is not observable: the verdict is unaffected and everything observable is restored', () => {
    const layer = new WithPrivateCounter();
    expect(check(layer).verdict).toBe('pass');
    expect(layer.callCount).toBeGreaterThan(100);
  });

  it('a layer that throws halfway (forward call 40, backward call 2) is left as it was; the error passes through', () => {
    const forwardFault = new FaultyLayer(40, Infinity);
    const error = thrownBy(forwardFault);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('layer ran out of range');
    const backwardFault = new FaultyLayer(Infinity, 2);
    expect(thrownBy(backwardFault)).toBeInstanceOf(RangeError);
  });

  it("the layer's own RangeError keeps its identity and stack through the matcher", () => {
    const original = new RangeError('index 7 out of range');
    const layer = new FaultyLayer(3, Infinity, () => original);
    const unchanged = keepsState(layer);
    let caught: unknown = null;
    try {
      expect(layer).toHaveCorrectGradients();
    } catch (error) {
      caught = error;
    }
    unchanged();
    expect(caught).toBe(original);
    expect((caught as Error).stack).toContain('index 7 out of range');
  });

  it('a pass-through Proxy around a class instance', () => {
    const target = new WithHiddenState();
    const before = captureDeepState(target);
    const report = check(proxied(target));
    expect(report.verdict).toBe('pass');
    expectSameDeepState(before, captureDeepState(target));
  });

  it('a frozen layer object whose arrays and inner state stay writable', () => {
    const inner = new AffineLayer();
    const layer = Object.freeze({
      inner,
      params: Object.freeze({ W: inner.W, b: inner.b }),
      grads: Object.freeze({ W: inner.dW, b: inner.db }),
      forward: (x: unknown) => inner.forward(x),
      backward: (g: unknown) => inner.backward(g),
      sampleInput: () => inner.sampleInput(),
    });
    expect(check(layer).verdict).toBe('pass');
  });
});

describe('the caller’s input is never changed', () => {
  it('an input object whose meta counter forward bumps comes back untouched', () => {
    const input = { values: new Float64Array([1, -2, 3]), mask: [true, false, true], meta: { seen: 0 } };
    const layer = new MaskedInputLayer();
    const report = check(layer, { input }, input);
    expect(report.verdict).toBe('pass');
    expect(input.meta.seen).toBe(0);
  });

  it('a frozen nested input array is copied, not written', () => {
    const input = Object.freeze(rows(inputs(), 4).map((row) => Object.freeze(row)));
    const report = check(new AffineLayer(), { input }, input);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['W', 'b', 'input']);
  });
});

describe('storage shapes', () => {
  it('W and b as disjoint subarrays of one buffer pass; overlapping ones are refused by name', () => {
    expect(check(new SharedBufferLayer(false)).verdict).toBe('pass');
    expect(failingTensors(check(new SharedBufferLayer(false, 'weight-times-2')))).toEqual(['W']);
    const error = thrownBy(new SharedBufferLayer(true));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toContain("Parameters 'W' and 'b' share storage");
  });

  it('the same array listed twice is refused', () => {
    const layer = new AffineLayer();
    Object.defineProperty(layer, 'params', { get: () => [layer.W, layer.W], configurable: true });
    Object.defineProperty(layer, 'grads', { get: () => [layer.dW, layer.dW], configurable: true });
    expect(thrownBy(layer).message).toContain("Parameters 'params[0]' and 'params[1]' share storage");
  });

  it('a gradient aliasing a parameter value is refused', () => {
    const layer = new AffineLayer();
    Object.defineProperty(layer, 'grads', { get: () => ({ W: layer.dW, b: layer.W.subarray(0, 3) }), configurable: true });
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toContain("The gradient of 'b' shares storage with the values of 'W'");
  });

  it('frozen parameter arrays are a clear error naming the tensor', () => {
    const layer = recordsLayer((l) => [
      { name: 'W', value: Object.freeze(Array.from(l.W)), grad: l.dW },
      { name: 'b', value: l.b, grad: l.db },
    ]);
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error.message).toContain("parameter 'W' is a frozen array");
  });

  it.each([
    ['Int32Array', Int32Array],
    ['Uint8Array', Uint8Array],
  ])('%s parameters are named, not called "object"', (name, Storage) => {
    const layer = new AffineLayer();
    Object.defineProperty(layer, 'params', { get: () => ({ W: new Storage(12), b: layer.b }), configurable: true });
    const error = thrownBy(layer);
    expect(error.message).toContain(`is ${name === 'Int32Array' ? 'an' : 'a'} ${name} of length 12`);
    expect(error.message).toContain('cannot hold a finite-difference step');
  });

  it('negative and fractional declared shapes are refused', () => {
    for (const shape of [[-3, -4], [2.5, 4.8]]) {
      const layer = recordsLayer((l) => [{ name: 'W', value: l.W, grad: l.dW, shape }, { name: 'b', value: l.b, grad: l.db }]);
      expect(thrownBy(layer).message).toContain("parameter 'W' has shape");
    }
  });

  it('mixed-depth nested params are refused and never grow NaN entries', () => {
    const mixed = [[0.5, -0.2], [[0.3], [0.9]]];
    const layer = recordsLayer((l) => [{ name: 'W', value: mixed, grad: [[0, 0], [[0], [0]]] }, { name: 'b', value: l.b, grad: l.db }]);
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error.message).toContain('mixes nesting depths');
    expect(mixed).toEqual([[0.5, -0.2], [[0.3], [0.9]]]);
  });

  it('a hole in a parameter array is named', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [0.1, , 0.3] as number[];
    const layer = recordsLayer(() => [{ name: 'v', value: sparse, grad: [0, 0, 0] }]);
    expect(thrownBy(layer).message).toContain("parameter 'v' holds a hole (an empty slot) at [1]");
  });

  it('a Tensor class whose data is a getter over a private backing field, as input, output and upstream gradient', () => {
    expect(check(new BackedTensorLayer()).verdict).toBe('pass');
    const buggy = check(new BackedTensorLayer({ bug: 'weight-times-2' }));
    expect(failingTensors(buggy)).toEqual(['W']);
  });

  it('a Tensor class with methods (at) as input, output and upstream gradient', () => {
    expect(check(new TensorClassLayer()).verdict).toBe('pass');
    expect(failingTensors(check(new TensorClassLayer({ bug: 'input-sign' })))).toEqual(['input']);
  });
});

describe('names', () => {
  it('two tensors named W are told apart, and a parameter named input is not the input', () => {
    const layer = recordsLayer((l) => [
      { name: 'W', value: l.W, grad: l.dW },
      { name: 'W', value: l.b, grad: l.db },
    ]);
    expect(check(layer).tensors.map((t) => t.name)).toEqual(['W', 'W#2', 'input']);
    const named = recordsLayer((l) => [
      { name: 'input', value: l.W, grad: l.dW },
      { name: 'b', value: l.b, grad: l.db },
    ]);
    expect(check(named).tensors.map((t) => t.name)).toEqual(['params.input', 'b', 'input']);
  });

  it('names with newlines or ANSI escapes are escaped in the report and the diff', () => {
    const layer = recordsLayer(
      (l) => [
        { name: 'W\n\u001b[31mred', value: l.W, grad: l.dW },
        { name: 'b', value: l.b, grad: l.db },
      ],
      { bug: 'weight-times-2' },
    );
    const report = check(layer);
    const text = formatReport(report);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('W\\n\\x1b[31mred');
    expect([...failureDiff(report).actual.keys()][0]).toMatch(/^W\\n\\x1b\[31mred\[/);
  });

  it('a scalar parameter named __proto__ appears in the diff', () => {
    const layer = recordsLayer(
      (l) => [
        { name: '__proto__', value: l.b.subarray(0, 1), grad: l.db.subarray(0, 1), shape: [] },
        { name: 'W', value: l.W, grad: l.dW },
      ],
      { bug: 'bias-first-sample' },
    );
    const diff = failureDiff(check(layer));
    expect([...diff.actual.keys()]).toContain('__proto__');
    expect(diff.actual.get('__proto__')).toBeTypeOf('number');
  });

  it('usage errors name the layer in one line instead of printing it (256×128 weights)', () => {
    const layer = new AffineLayer({ sizes: { batch: 2, inSize: 128, outSize: 256 } });
    Object.defineProperty(layer, 'grads', { get: () => ({ W: layer.dW }), configurable: true });
    const unchanged = keepsState(layer);
    const message = thrownMessage(() => expect(layer).toHaveCorrectGradients());
    unchanged();
    expect(message).toContain('Matcher error:');
    expect(message.split('\n').length).toBeLessThan(12);
    expect(message).toMatch(/Received has value: AffineLayer \{ W, b, dW, db, x, sizes, bug, float32, … 1 more \}/);
  });
});

describe('grads() handing out copies', () => {
  it.each(['accumulate', 'overwrite'] as const)('a correct layer whose grads() copies (backward %s) passes', (mode) => {
    expect(check(new GradCopies(mode)).verdict).toBe('pass');
  });

  it.each(['accumulate', 'overwrite'] as const)('its doubled weight gradient still fails (%s)', (mode) => {
    const report = check(new GradCopies(mode, 'weight-times-2'));
    expect(report.verdict).toBe('fail');
    expect(failingTensors(report)).toEqual(['W']);
    expect(report.problems).toEqual([]);
  });
});

describe('checks that check nothing never pass', () => {
  it('ragged sequences (lengths 3 and 2): the input gradient is checked entry by entry', () => {
    const report = check(new RaggedSequenceLayer());
    expect(report.verdict).toBe('pass');
    const input = report.tensors.find((t) => t.name === 'input');
    expect(input).toMatchObject({ size: 10, ragged: true });
    const buggy = check(new RaggedSequenceLayer('second-sequence-input-sign'));
    expect(buggy.verdict).toBe('fail');
    const failing = buggy.tensors.find((t) => t.name === 'input')?.failures.map((f) => f.position) ?? [];
    expect(failing.sort()).toEqual([[1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]]);
  });

  it('an input gradient whose rows differ from the ragged input is an error', () => {
    const layer = new RaggedSequenceLayer();
    const backward = layer.backward.bind(layer);
    layer.backward = (g) => backward(g).reverse();
    expect(thrownBy(layer).message).toContain("rows differ from the input's");
  });

  it('a forward returning mixed-depth nested arrays is an error', () => {
    const layer = new AffineLayer();
    layer.forward = () => [[1, 2], [[3, 4], [5, 6]]];
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error.message).toContain('the output of forward() mixes nesting depths');
  });

  it('a forward returning a 0-length output is an error, through the matcher and .not', () => {
    const layer = new AffineLayer();
    layer.forward = () => [];
    expect(thrownBy(layer).message).toContain('forward() returned an empty output');
    const unchanged = keepsState(layer);
    expect(thrownMessage(() => expect(layer).not.toHaveCorrectGradients())).toContain('Matcher error: forward() returned an empty output');
    unchanged();
  });

  it('backward returning an input gradient for an input that cannot be perturbed is an error', () => {
    const layer = new MaskedInputLayer();
    const input = { values: new Float64Array([1, 2, 3]), mask: [true, true, true], meta: { seen: 0 } };
    Object.assign(layer, { backward: () => new Float64Array(3) });
    expect(thrownBy(layer, { input }).message).toContain('cannot be perturbed');
  });
});

describe('unresolved gradients are inconclusive, never a pass', () => {
  it('float32 with epsilon 1e-6: a doubled and an all-zero weight gradient are inconclusive, and so is the correct layer', () => {
    for (const bug of ['weight-times-2', 'weight-zero', 'none'] as const) {
      const report = check(new AffineLayer({ float32: true, bug }), { epsilon: 1e-6 });
      expect(report.pass).toBe(false);
      expect(['inconclusive', 'fail']).toContain(report.verdict);
      if (bug === 'none') expect(report.verdict).toBe('inconclusive');
      expect(report.inconclusive?.cause ?? '').toContain('The step epsilon = 1e-6 is far below what float32 resolves');
      expect(report.inconclusive?.remedies[0]).toContain("use epsilon: 'auto'");
    }
  });

  it('through the matcher: the assertion fails and .not throws, with the remedy', () => {
    const layer = new AffineLayer({ float32: true, bug: 'weight-times-2' });
    const unchanged = keepsState(layer);
    const message = thrownMessage(() => expect(layer).toHaveCorrectGradients(1e-6));
    expect(message).toContain('could not resolve every significant gradient');
    expect(message).toContain("use epsilon: 'auto'");
    expect(() => expect(layer).not.toHaveCorrectGradients(1e-6)).toThrow(/could not resolve/);
    expect(() => expect(layer).toHaveCorrectGradients()).toThrow(/disagree/);
    unchanged();
  });

  it.each([1e11, 1e12])('float64 outputs offset by %d: a doubled weight gradient is inconclusive, naming the offset', (offset) => {
    const report = check(new AffineLayer({ outputOffset: offset, bug: 'weight-times-2' }));
    expect(report.verdict).toBe('inconclusive');
    expect(report.inconclusive?.cause).toMatch(/The outputs carry an offset of about \de1[12]/);
    expect(report.inconclusive?.remedies.join('\n')).toContain('remove the offset');
  });

  it('epsilon 1e-15 never passes a doubled weight gradient', () => {
    const report = check(new AffineLayer({ bug: 'weight-times-2' }), { epsilon: 1e-15 });
    expect(report.pass).toBe(false);
    expect(report.verdict).not.toBe('pass');
  });

  it('allowInconclusive opts in explicitly: pass, with the unresolved entries still listed', () => {
    const report = check(new AffineLayer({ outputOffset: 1e12 }), { allowInconclusive: true });
    expect(report.verdict).toBe('pass');
    expect(report.inconclusiveCount).toBeGreaterThan(0);
    expect(formatReport(report)).toContain('Unresolved entries (accepted with allowInconclusive):');
  });
});

describe('randomness and hidden state in forward', () => {
  it('training-mode dropout is impossible and .not throws', () => {
    const layer = new DropoutAffine(0.5);
    const report = check(layer);
    expect(report.verdict).toBe('impossible');
    expect(report.problems[0].kind).toBe('nondeterministic-forward');
    const unchanged = keepsState(layer);
    expect(() => expect(layer).not.toHaveCorrectGradients()).toThrow(/no verdict could be reached/);
    unchanged();
    expect(() => expect(new DropoutAffine(0.5, Math.random, { bug: 'weight-times-2' })).toHaveCorrectGradients()).toThrow(/deterministic forward/);
  });

  it('p = 0.02 on a layer of 6 outputs is caught even when the first calls agree', () => {
    const rng = createRng(5);
    const report = check(new DropoutAffine(0.02, () => rng.next()));
    expect(report.verdict).toBe('impossible');
  });

  it('state that drifts after the 40th and after the 200th call is caught', () => {
    for (const after of [40, 200]) {
      const report = check(new DriftingLayer(after));
      expect(report.verdict).toBe('impossible');
      expect(report.problems[0].message).toMatch(/re-evaluation|before a backward call/);
    }
  });

  it('a deterministic layer records its determinism checks', () => {
    expect(check(new AffineLayer()).determinismChecks).toBeGreaterThanOrEqual(160);
  });
});

describe('async layers: the sync entry names the Promise; the async ones await it; nothing is left behind', () => {
  /** Runs `body`, then fails if any unhandled rejection surfaced meanwhile. */
  async function withoutUnhandledRejections(body: () => Promise<void>): Promise<void> {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await body();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }

  it('checkGradients on an async backward that rejects later: AsyncLayerError, layer as it was', async () => {
    await withoutUnhandledRejections(async () => {
      const layer = new AffineLayer();
      const backward = layer.backward.bind(layer);
      (layer as { backward: (g: unknown) => unknown }).backward = async (g: unknown) => {
        backward(g);
        throw new Error('device lost');
      };
      const error = thrownBy(layer);
      expect(error).toBeInstanceOf(AsyncLayerError);
      expect(error.message).toContain('backward() returned a Promise. This entry point is synchronous: use checkGradientsAsync(layer)');
      const forwardLayer = new AffineLayer();
      (forwardLayer as { forward: (x: unknown) => unknown }).forward = async () => {
        throw new Error('read-back failed');
      };
      expect(thrownBy(forwardLayer).message).toContain('forward() returned a Promise');
    });
  });

  it("checkGradientsAsync passes the layer's own rejection through and leaves the layer as it was", async () => {
    await withoutUnhandledRejections(async () => {
      const layer = new AsyncAffine();
      const own = new Error('device lost');
      let calls = 0;
      const backward = layer.backward.bind(layer);
      layer.backward = async (g: unknown) => {
        if (++calls === 2) throw own;
        return backward(g);
      };
      const before = captureDeepState(layer);
      await expect(checkGradientsAsync(layer)).rejects.toBe(own);
      expectSameDeepState(before, captureDeepState(layer));
    });
  });

  it('an async layer gets an awaited matcher: pass, fail naming the entries, .not', async () => {
    const layer = new AsyncAffine();
    const unchanged = keepsState(layer);
    await expect(layer).toHaveCorrectGradients();
    await expect(new AsyncAffine({ bug: 'weight-times-2' })).not.toHaveCorrectGradients();
    let message = '';
    try {
      await expect(new AsyncAffine({ bug: 'bias-first-sample' })).toHaveCorrectGradients();
    } catch (error) {
      message = plain((error as Error).message);
    }
    expect(message).toContain('3 of 23 gradient entries disagree, in 1 of 3 tensors');
    unchanged();
  });
});

describe('bad input is a usage error that names the input', () => {
  it('rows of 3 for a 4-input layer (forward reads undefined → NaN)', () => {
    const input = [[1, 2, 3], [4, 5, 6]];
    const layer = new AffineLayer();
    const error = thrownBy(layer, { input });
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('for the input from the input option (shape [2,3])');
    const unchanged = keepsState(layer);
    const message = thrownMessage(() => expect(layer).toHaveCorrectGradients({ input }));
    unchanged();
    expect(message).toContain('Matcher error:');
    expect(message).toContain('Input has value: Array(2)');
    expect(message).not.toContain('0 of 0');
  });

  it('NaN in the input', () => {
    const input = rows(inputs(), 4);
    input[1][2] = Number.NaN;
    const error = thrownBy(new AffineLayer(), { input });
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('holds NaN at input[1,2]');
  });

  it('input: null and a Promise as input', () => {
    expect(thrownBy(new AffineLayer(), { input: null })).toBeInstanceOf(OptionsError);
    expect(thrownBy(new AffineLayer(), { input: Promise.resolve([1]) }).message).toContain('input is a Promise');
  });

  it("dtype: 'float64' forced on Float32Array storage says why, instead of failing a correct layer", () => {
    const error = thrownBy(new AffineLayer({ float32: true }), { dtype: 'float64' });
    expect(error).toBeInstanceOf(OptionsError);
    expect(error.message).toContain("parameter 'W' is stored in a Float32Array");
  });

  it('sampleInput returning nothing', () => {
    const layer = new AffineLayer();
    layer.sampleInput = () => undefined;
    expect(thrownBy(layer).message).toContain('layer.sampleInput() returned undefined');
  });
});

describe('correct layers that must keep passing', () => {
  it('the affine layer in both dtypes, with weights and biases as in the zoo', () => {
    expect(check(new AffineLayer()).verdict).toBe('pass');
    expect(check(new AffineLayer({ float32: true })).verdict).toBe('pass');
    expect(Array.from(weights()).length).toBe(12);
    expect(Array.from(biases()).length).toBe(3);
  });
});

describe('more state a forward may touch', () => {
  it('an added and a deleted property, a moved key and a changed prototype come back, in order', () => {
    class Other {}
    const layer = new AffineLayer() as AffineLayer & { cache?: unknown; note: string; trace: string };
    layer.note = 'n';
    layer.trace = 't';
    const forward = layer.forward.bind(layer);
    const prototype = Object.getPrototypeOf(layer) as object;
    layer.forward = (input: unknown) => {
      const out = forward(input);
      layer.cache = out;
      delete (layer as { note?: string }).note;
      const trace = layer.trace;
      delete (layer as { trace?: string }).trace;
      layer.trace = trace;
      Object.setPrototypeOf(layer, Other.prototype);
      Object.setPrototypeOf(layer, prototype);
      return out;
    };
    expect(check(layer).verdict).toBe('pass');
    expect(Object.keys(layer).slice(-3)).toEqual(['note', 'trace', 'forward']);
  });

  it('array holes, a named property on an array and a NaN payload in a cache are restored bit for bit', () => {
    const layer = new AffineLayer() as AffineLayer & { history: number[] & { meta?: string }; scratch: Float64Array };
    // eslint-disable-next-line no-sparse-arrays
    layer.history = [1, , 3] as number[];
    layer.history.meta = 'm';
    layer.scratch = new Float64Array(2);
    new DataView(layer.scratch.buffer).setBigUint64(0, 0x7ff8_0000_0000_1234n, true);
    const forward = layer.forward.bind(layer);
    layer.forward = (input: unknown) => {
      layer.history[1] = 2;
      layer.history.meta = 'changed';
      layer.scratch[0] = Number.NaN;
      return forward(input);
    };
    expect(check(layer).verdict).toBe('pass');
    expect(1 in layer.history).toBe(false);
    expect(new DataView(layer.scratch.buffer).getBigUint64(0, true)).toBe(0x7ff8_0000_0000_1234n);
  });

  it('a buffer that forward detaches (transfers) cannot be put back: impossible, naming it', () => {
    const detaching = (): AffineLayer => {
      const layer = new AffineLayer() as AffineLayer & { staging: { buffer: ArrayBuffer } };
      layer.staging = { buffer: new ArrayBuffer(16) };
      const forward = layer.forward.bind(layer);
      layer.forward = (input: unknown) => {
        if (layer.staging.buffer.byteLength > 0) structuredClone(layer.staging.buffer, { transfer: [layer.staging.buffer] });
        return forward(input);
      };
      return layer;
    };
    const report = checkGradients(detaching());
    expect(report.verdict).toBe('impossible');
    expect(report.problems.at(-1)?.kind).toBe('state-not-restored');
    expect(report.problems.at(-1)?.message).toContain('layer.staging.buffer');
    expect(() => expect(detaching()).not.toHaveCorrectGradients()).toThrow(/could not put the layer back/);
  });

  it('a field behind a Proxy whose ownKeys trap throws cannot be inspected: impossible, naming it', () => {
    const layer = new AffineLayer() as AffineLayer & { registry: object };
    layer.registry = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no listing');
        },
      },
    );
    const report = checkGradients(layer);
    expect(report.verdict).toBe('impossible');
    expect(report.problems.at(-1)?.message).toContain('layer.registry');
  });

  it('a parameter array behind a Proxy that refuses writes is a clear error', () => {
    const layer = new AffineLayer();
    const readOnly = new Proxy(Array.from(layer.b), { set: () => false });
    Object.defineProperty(layer, 'params', { get: () => ({ W: layer.W, b: readOnly }), configurable: true });
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error.message).toContain("parameter 'b' refused a write at [0]");
  });

  it('a frozen output is read, and its copy (the upstream gradient) is writable', () => {
    const layer = new AffineLayer();
    const forward = layer.forward.bind(layer);
    layer.forward = (input: unknown) => Object.freeze((forward(input) as number[][]).map((row) => Object.freeze(row)));
    expect(check(layer).verdict).toBe('pass');
  });

  it('a second check of the same layer gives the same report, bit for bit (but for its wall time)', () => {
    const layer = new WithHiddenState({ bug: 'bias-first-sample' });
    const first = check(layer);
    const second = check(layer);
    expect(withoutWallTime(second)).toEqual(withoutWallTime(first));
  });
});

describe('more bad layers and inputs', () => {
  it('NaN in a parameter is named as the parameter, not blamed on the input', () => {
    const layer = new AffineLayer();
    layer.W[5] = Number.NaN;
    const error = thrownBy(layer);
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toContain("parameter 'W' holds NaN at [5]");
  });

  it('params() returning a Promise, and sampleInput() returning one, are named', () => {
    const layer = new AffineLayer();
    Object.defineProperty(layer, 'params', { value: async () => ({ W: layer.W }), configurable: true });
    expect(thrownBy(layer).message).toContain('layer.params() returned a Promise');
    const sampled = new AffineLayer();
    sampled.sampleInput = (() => Promise.resolve(rows(inputs(), 4))) as () => unknown;
    expect(thrownBy(sampled).message).toContain('layer.sampleInput() returned a Promise');
  });

  it('a params getter that throws passes its own error through', () => {
    const layer = new AffineLayer();
    const own = new Error('weights not loaded');
    Object.defineProperty(layer, 'params', {
      get() {
        throw own;
      },
      configurable: true,
    });
    expect(thrownBy(layer)).toBe(own);
  });

  it('forward that returns a number first and an array later is named', () => {
    const layer = new AffineLayer();
    let calls = 0;
    const forward = layer.forward.bind(layer);
    layer.forward = (input: unknown) => (++calls === 1 ? 1 : forward(input));
    expect(thrownBy(layer).message).toContain('forward() returned a number first');
  });

  it('a very long tensor name is cut to keep report lines readable', () => {
    const long = 'w'.repeat(500);
    const layer = recordsLayer((l) => [{ name: long, value: l.W, grad: l.dW }, { name: 'b', value: l.b, grad: l.db }]);
    expect(check(layer).tensors[0].name).toHaveLength(80);
  });

  it('bad input through the matcher is a Matcher error with and without .not', () => {
    const input = [[1, 2, Number.NaN, 4], [1, 2, 3, 4]];
    const layer = new AffineLayer();
    const unchanged = keepsState(layer);
    for (const run of [() => expect(layer).toHaveCorrectGradients({ input }), () => expect(layer).not.toHaveCorrectGradients({ input })]) {
      const message = thrownMessage(run);
      unchanged();
      expect(message).toContain('Matcher error: the input from the input option (shape [2,4]) holds NaN at input[0,2]');
    }
  });

  it("dtype: 'float64' on float32 storage through .not is a Matcher error too", () => {
    const layer = new AffineLayer({ float32: true });
    const unchanged = keepsState(layer);
    const message = thrownMessage(() => expect(layer).not.toHaveCorrectGradients({ dtype: 'float64' }));
    unchanged();
    expect(message).toContain('Matcher error: dtype');
  });

  it('an async layer under a sync-looking .not is awaited: a correct one fails saying they agree', async () => {
    const layer = new AsyncAffine();
    const unchanged = keepsState(layer);
    await expect(expect(layer).not.toHaveCorrectGradients()).rejects.toThrow(/they agree/);
    unchanged();
  });
});
