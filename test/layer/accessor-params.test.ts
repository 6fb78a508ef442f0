/**
 * Parameters whose storage the checker can only reach through the layer's own methods: entry
 * accessors, whole-array accessors, scalar accessors, property parameters, gradients given as
 * functions, numbers or accessors, and registered tensor classes. For each form: the correct layer
 * passes, a planted bug is found at the right entries of the right tensor, and the layer is left
 * exactly as it was, private storage included.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { LayerStateError } from '../../src/check/keep-state.js';
import { ContainerError } from '../../src/layer/numeric-view.js';
import { LayerProtocolError } from '../../src/layer/params.js';
import type { Layer } from '../../src/layer/protocol.js';
import { registerTensorClass } from '../../src/layer/tensor-class.js';
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state.js';
import { Matrix } from '../zoo/library/matrix.js';
import { AccessorLayer } from '../zoo/protocol/bad-accessors.js';
import { PRIVATE_SCALE_FORMS, PrivateScale, privateScaleBase, type PrivateScaleBug } from '../zoo/protocol/private-scale.js';

const BUGS: [PrivateScaleBug, string, number[][]][] = [
  ['dw-times-2', 'w', []],
  ['dalpha-sign-flipped', 'alpha', [[]]],
  ['dc-first-entry-only', 'c', [[1], [2], [3], [4], [5]]],
];

describe.each(Object.entries(PRIVATE_SCALE_FORMS))('%s', (title, form) => {
  // Only the first form gives dw through an accessor with set, so only there can it be written back.
  const writableDw = title.startsWith('entry accessors');
  it('passes the correct layer and leaves it as it was, private storage included', () => {
    const inner = new PrivateScale();
    const layer = form(inner);
    const before = { state: inner.state(), deep: captureDeepState(layer) };
    const report = checkGradients(layer);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => `${t.name}:${t.size}`)).toEqual(['w:6', 'c:6', 'alpha:1', 'input:6']);
    expect(report.tensors.find((t) => t.name === 'alpha')!.shape).toEqual([]);
    // Values come back through their accessors, public fields through the snapshot. Gradients held
    // privately and handed out only as copies (#dc here) are out of any checker's reach.
    const { w, c, alpha, dAlpha } = inner.state();
    expect({ w, c, alpha, dAlpha }).toEqual({ w: before.state.w, c: before.state.c, alpha: before.state.alpha, dAlpha: before.state.dAlpha });
    if (writableDw) expect(inner.state().dw).toEqual(before.state.dw);
    expectSameDeepState(before.deep, captureDeepState(layer));
  });

  it.each(BUGS)('finds %s at the right entries of %s only', (bug, tensor, positions) => {
    const report = checkGradients(form(new PrivateScale(bug)));
    expect(report.verdict).toBe('fail');
    expect(report.tensors.filter((t) => t.failures.length > 0).map((t) => t.name)).toEqual([tensor]);
    const failing = report.tensors.find((t) => t.name === tensor)!.failures.map((f) => f.position);
    if (positions.length > 0) expect(failing.sort()).toEqual(positions);
    else expect(failing).toHaveLength(report.tensors.find((t) => t.name === tensor)!.size);
  });
});

describe('accessor forms under faults and bad input', () => {
  const entryForm = PRIVATE_SCALE_FORMS['entry accessors { get(i), set(i, v), shape }, grad as an accessor'];

  it('a throw from an accessor on its 40th call propagates and the private storage is put back', () => {
    const counting = new PrivateScale();
    checkGradients(entryForm(counting));
    const totalCalls = counting.accessorCalls;
    expect(totalCalls).toBeGreaterThan(60);
    for (const failOn of [40, totalCalls - 20]) {
      const inner = new PrivateScale();
      const before = inner.state();
      inner.failOnAccessorCall = failOn;
      expect(() => checkGradients(entryForm(inner))).toThrow(`accessor failed on call ${failOn}`);
      inner.failOnAccessorCall = Infinity;
      // dw comes back through its accessor's set; dc is private and handed out as copies only.
      const { dc: _after, ...restored } = inner.state();
      const { dc: _before, ...original } = before;
      expect(restored).toEqual(original);
    }
  });

  it('a throw while the storage is being written back gives no verdict, names what was not put back, and the rest is restored', () => {
    const counting = new PrivateScale();
    checkGradients(entryForm(counting));
    // The last accessor calls write w back (values are written back before gradients).
    const inner = new PrivateScale();
    const before = inner.state();
    inner.failOnAccessorCall = counting.accessorCalls - 2;
    const report = checkGradients(entryForm(inner));
    inner.failOnAccessorCall = Infinity;
    expect(report.verdict).toBe('impossible');
    expect(report.pass).toBe(false);
    const problem = report.problems.find((p) => p.kind === 'state-not-restored');
    expect(problem?.message).toMatch(/parameter 'w' \(writing it back threw: accessor failed on call \d+\)/);
    const { c, alpha, dAlpha, dw } = inner.state();
    expect({ c, alpha, dAlpha, dw }).toEqual({ c: before.c, alpha: before.alpha, dAlpha: before.dAlpha, dw: before.dw });
  });

  it('when the layer throws and its storage then refuses the write-back, the error says both', () => {
    const stored = [0.5, -1.5];
    let forwardCalls = 0;
    let refuseWrites = false;
    const layer: Layer = {
      forward: (x: number[]) => {
        if (++forwardCalls === 40) {
          refuseWrites = true;
          throw new Error('forward failed on call 40');
        }
        return x[0] * stored[0] + x[1] * stored[1];
      },
      backward: (g: number) => [g * stored[0], g * stored[1]],
      params: [{ name: 'w', get: (i?: number) => stored[i!], set: (i: number, v?: number) => {
        if (refuseWrites) throw new Error('storage is gone');
        stored[i] = v!;
      }, size: 2, grad: () => [0, 0] }],
      sampleInput: () => [1, 2],
    };
    let thrown: unknown;
    try {
      checkGradients(layer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LayerStateError);
    expect((thrown as Error).message).toMatch(/parameter 'w' \(writing it back threw: storage is gone\).*The check stopped with: forward failed on call 40/);
    expect(((thrown as Error).cause as Error).message).toBe('forward failed on call 40');
  });

  it('an accessor that returns a Promise, a non-number, or does not store what it is given is refused by name', () => {
    const inner = new PrivateScale();
    const layer = (param: object): Layer => ({ ...privateScaleBase(inner), params: [param] as Layer['params'] });
    expect(() => checkGradients(layer({ name: 'w', get: async () => 1, set: () => {}, size: 2, grad: [0, 0] }))).toThrow(
      /parameter 'w': get\(0\) returned a Promise; accessors must read and write synchronously/,
    );
    expect(() => checkGradients(layer({ name: 'w', get: () => 'x', set: () => {}, size: 2, grad: [0, 0] }))).toThrow(/get\(0\) returned "x" where a number was expected|get\(0\) returned .*string/);
    let stored = 1;
    const rounding = { name: 'w', get: () => stored, set: (_i: number, v: number) => (stored = Math.round(v)), size: 1, grad: [0] };
    expect(() => checkGradients(layer(rounding))).toThrow(ContainerError);
    expect(() => checkGradients(layer(rounding))).toThrow(/did not hold the value written to it/);
    expect(stored).toBe(1);
  });

  it('a property parameter must name a number, and accessor shapes must agree', () => {
    const inner = new PrivateScale();
    expect(() => checkGradients({ ...privateScaleBase(inner), params: [{ property: 'bug', of: inner, grad: 'dAlpha' }] })).toThrow(
      "names property 'bug', which holds undefined, not a number",
    );
    expect(() =>
      checkGradients({ ...privateScaleBase(inner), params: [{ name: 'w', get: (i?: number) => inner.getW(i!), set: (i: number, v?: number) => inner.setW(i, v!), size: 5, shape: [6], grad: [] }] }),
    ).toThrow(LayerProtocolError);
  });

  it('float32 storage behind accessors is detected from what it stores', () => {
    const storage = Float32Array.from([0.5, -1.5, 2, 0.25, 3, -0.75]);
    const grad = new Float32Array(6);
    let x = new Float32Array(6);
    const layer: Layer = {
      sampleInput: () => Float64Array.from([1, 2, -3, 0.5, -1.25, 2.5]),
      forward: (input: Float64Array) => ((x = Float32Array.from(input)), input.map((v, i) => storage[i] * v)),
      backward: (g: Float64Array) => (g.forEach((v, i) => (grad[i] = v * x[i])), g.map((v, i) => v * storage[i])),
      params: [{ name: 'w', get: (i?: number) => storage[i!], set: (i: number, v?: number) => (storage[i] = v!), size: 6, grad }],
    };
    expect(checkGradients(layer).settings.dtype).toBe('float32');
  });

  it('gradients read through grads() once per backward: a capture that empties the library\'s sums serves every parameter', () => {
    const inner = new PrivateScale();
    let pending: { w: Float64Array; c: Float64Array; alpha: number } | null = null;
    const originalBackward = inner.backward.bind(inner);
    // A library that keeps its gradients until update() hands them over and clears them.
    const library = {
      ...privateScaleBase(inner),
      backward: (g: Float64Array) => {
        const dx = originalBackward(g);
        pending = { w: inner.dwCopy(), c: inner.dcCopy(), alpha: inner.dAlpha };
        return dx;
      },
      update(step: (name: string, grad: Float64Array | number) => void) {
        if (pending === null) return;
        step('w', pending.w);
        step('c', pending.c);
        step('alpha', pending.alpha);
        pending = null;
      },
    };
    const layer: Layer = {
      ...library,
      params: {
        w: { get: (i?: number) => inner.getW(i!), set: (i: number, v?: number) => inner.setW(i, v!), size: 6 },
        c: { read: () => inner.readC(), write: (values: Float64Array) => inner.writeC(values) },
        alpha: { get: () => inner.alpha, set: (v: number) => (inner.alpha = v) },
      },
      grads: () => {
        const seen: Record<string, Float64Array | number> = { w: new Float64Array(6), c: new Float64Array(6), alpha: 0 };
        library.update((name, grad) => (seen[name] = grad));
        return seen;
      },
    };
    expect(checkGradients(layer).verdict).toBe('pass');
  });
});

describe('registered tensor classes', () => {
  const withMatrix = <T>(run: () => T): T => {
    const unregister = registerTensorClass<Matrix>({
      matches: (value) => value instanceof Matrix,
      shape: (m) => [m.rows, m.cols],
      get: (m, i) => m.get(Math.floor(i / m.cols), i % m.cols),
      set: (m, i, v) => m.set(Math.floor(i / m.cols), i % m.cols, v),
      create: (values, [rows, cols]) => Matrix.zeros(rows, cols).map((_, r, c) => values[r * cols + c]),
    });
    try {
      return run();
    } finally {
      unregister();
    }
  };

  /** y = x·W (a Matrix layer): Matrix params, input, output, upstream and input gradient. */
  const matrixLayer = (options: { mutateUpstream?: boolean; dwFactor?: number } = {}) => {
    const W = Matrix.from([
      [0.5, -1],
      [1.5, 0.25],
      [-0.75, 2],
    ]);
    const state = { dW: Matrix.zeros(3, 2), x: Matrix.zeros(2, 3) };
    return {
      W,
      state,
      sampleInput: () => Matrix.from([
        [1, -2, 0.5],
        [0.25, 1.5, -1],
      ]),
      forward: (x: Matrix) => ((state.x = x.clone()), x.multiply(W)),
      backward: (g: Matrix) => {
        state.dW = state.x.transpose().multiply(g).map((v) => v * (options.dwFactor ?? 1));
        const dx = g.multiply(W.transpose());
        if (options.mutateUpstream === true) g.set(0, 0, 0);
        return dx;
      },
      params: () => [{ name: 'W', value: W, grad: state.dW }],
    };
  };

  it('a Matrix with #private storage works as params, grads, input, output and upstream gradient', () => {
    withMatrix(() => {
      const layer = matrixLayer();
      const before = layer.W.toArray();
      const report = checkGradients(layer);
      expect(report.verdict).toBe('pass');
      expect(report.tensors.map((t) => `${t.name}${JSON.stringify(t.shape)}`)).toEqual(['W[3,2]', 'input[2,3]']);
      expect(layer.W.toArray()).toEqual(before);
      const buggy = checkGradients(matrixLayer({ dwFactor: 3 }));
      expect(buggy.tensors[0].failures.map((f) => f.position.join(','))).toHaveLength(6);
      expect(buggy.diagnoses.map((d) => `${d.tensor}:${d.kind}:${d.factor}`)).toEqual(['W:scale:3']);
    });
  });

  it('a Matrix (which has get and set methods of its own) is storage, not an accessor, in a params record and in aligned lists', () => {
    withMatrix(() => {
      for (const form of ['record', 'lists'] as const) {
        for (const dwFactor of [1, 3]) {
          const layer = matrixLayer({ dwFactor });
          const shaped =
            form === 'record'
              ? { ...layer, params: { W: layer.W }, grads: () => ({ W: layer.state.dW }) }
              : { ...layer, params: [layer.W], grads: () => [layer.state.dW] };
          const report = checkGradients(shaped);
          expect(report.verdict).toBe(dwFactor === 1 ? 'pass' : 'fail');
          expect(report.tensors[0].shape).toEqual([3, 2]);
          if (dwFactor === 3) expect(report.tensors[0].failures).toHaveLength(6);
        }
      }
    });
  });

  it('a backward that mutates its Matrix upstream gradient is caught (no adapter copy hides it)', () => {
    withMatrix(() => {
      const report = checkGradients(matrixLayer({ mutateUpstream: true }));
      expect(report.problems.map((p) => p.kind)).toContain('backward-mutates-upstream');
      expect(report.pass).toBe(false);
    });
  });

  it('without the registration a Matrix is refused with a message that says what it is', () => {
    expect(() => checkGradients(matrixLayer())).toThrow(ContainerError);
    expect(() => checkGradients(matrixLayer())).toThrow("parameter 'W' is a Matrix instance with keys [rows, cols]");
    expect(() => checkGradients(matrixLayer())).toThrow('register it once with registerTensorClass({ matches, shape, get, set, create })');
    expect(() => registerTensorClass({ matches: () => true } as never)).toThrow("registerTensorClass: 'shape' must be a function");
  });
});

describe('storage that does not keep what is written is refused by name, the layer left as it was', () => {
  it.each(['clamping', 'transposed'] as const)('%s accessors', (accessor) => {
    const layer = new AccessorLayer(accessor);
    const weights = layer.weights();
    const before = captureDeepState(layer);
    let thrown: unknown = null;
    try {
      checkGradients(layer as unknown as Layer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ContainerError);
    expect((thrown as Error).message).toMatch(/^parameter 'W' did not keep what was written to entry \d: set it to -?[\d.e-]+, read back -?[\d.e-]+\./);
    expect(layer.weights()).toEqual(weights);
    expectSameDeepState(before, captureDeepState(layer));
  });
});
