import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { InputError } from '../../src/layer/input.js';
import { scaleLayer, ScaleLayer, type ParamForm } from '../zoo/protocol/scale.js';
import {
  ForgottenChainRule,
  GradientOffset,
  InfiniteGradient,
  InPlaceInput,
  LogBarrier,
  NaNOutput,
  ThrowsHalfway,
  TrainingModeDropout,
  UpstreamMutating,
} from '../zoo/protocol/misbehaving.js';

const FORMS: ParamForm[] = ['records', 'record', 'list', 'methods', 'tensor-like', 'nested'];
const NAMES: Record<ParamForm, string[]> = {
  records: ['w', 'c', 'input'],
  record: ['w', 'c', 'input'],
  list: ['params[0]', 'params[1]', 'input'],
  methods: ['w', 'c', 'input'],
  'tensor-like': ['w', 'c', 'input'],
  nested: ['w', 'c', 'input'],
};

describe('checkGradients on every parameter form', () => {
  it.each(FORMS)('passes the correct layer declared as %s', (form) => {
    const report = checkGradients(scaleLayer({ form }));
    expect(report.pass).toBe(true);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(NAMES[form]);
    expect(report.normalizedError).toBeLessThan(1e-9);
  });

  it.each(FORMS)('names every entry of w when dw is doubled (%s)', (form) => {
    const report = checkGradients(scaleLayer({ form, dwFactor: 2 }));
    expect(report.pass).toBe(false);
    const [w, c, input] = report.tensors;
    expect(w.pass).toBe(false);
    expect(c.pass).toBe(true);
    expect(input.pass).toBe(true);
    const expectedPositions = form === 'tensor-like' || form === 'nested'
      ? [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
      : [[0], [1], [2], [3], [4], [5]];
    expect(w.failures.map((f) => f.position).sort()).toEqual(expectedPositions.sort());
    for (const failure of w.failures) expect(failure.analytic).toBeCloseTo(2 * failure.numeric, 8);
  });

  it('reads grads that backward allocates anew on every call', () => {
    expect(checkGradients(scaleLayer({ form: 'records', allocateGrads: true })).pass).toBe(true);
    expect(checkGradients(new ScaleLayer({ allocateGrads: true })).pass).toBe(true);
    const buggy = checkGradients(new ScaleLayer({ allocateGrads: true, dwFactor: 0.5 }));
    expect(buggy.tensors[0].failures).toHaveLength(6);
  });

  it('catches a 1e-4 relative error in float64', () => {
    const report = checkGradients(new ScaleLayer({ dwFactor: 1 + 1e-4 }));
    expect(report.tensors[0].failures).toHaveLength(6);
  });

  it('reports shapes, sizes and call counts', () => {
    const report = checkGradients(scaleLayer({ form: 'tensor-like' }));
    expect(report.tensors.map((t) => [t.name, t.shape, t.size])).toEqual([
      ['w', [2, 3], 6],
      ['c', [2, 3], 6],
      ['input', [6], 6],
    ]);
    // 1 first call, 3 before the backward runs, 4 per entry for 18 entries, then the
    // re-evaluations of the unperturbed point (700, plus one per 64 measurements).
    expect(report.determinismChecks).toBe(700);
    expect(report.forwardCalls).toBe(1 + 3 + 4 * 18 + 700);
    expect(report.mode).toMatchObject({ kind: 'exhaustive', blockSize: null, shard: null });
    expect(report.mode.reason).toBe('auto: about 72 forward calls fit the budget of 10,000 calls');
    expect(report.backwardCalls).toBe(3);
    // Every call into the layer counts against maxEvaluations.
    expect(report.evaluations).toBe(report.forwardCalls + report.backwardCalls);
  });
});

describe('float32 layers', () => {
  it('detects float32 storage and applies float32 defaults', () => {
    const report = checkGradients(new ScaleLayer({ float32: true }));
    expect(report.pass).toBe(true);
    expect(report.settings.dtype).toBe('float32');
    expect(report.settings.tolerance).toBe(1e-2);
    expect(report.settings.defaultsNote).toContain('float32 defaults');
  });

  it('still catches a 5% error in float32', () => {
    const report = checkGradients(new ScaleLayer({ float32: true, dwFactor: 1.05 }));
    expect(report.tensors[0].failures.map((f) => f.index)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5]));
  });
});

describe('options', () => {
  it('honours an explicit epsilon and tolerance', () => {
    const report = checkGradients(new ScaleLayer(), { epsilon: 1e-3, tolerance: 0.5 });
    expect(report.settings.epsilon).toBe(1e-3);
    expect(report.settings.tolerance).toBe(0.5);
    const loose = checkGradients(new ScaleLayer({ dwFactor: 1.2 }), { tolerance: 0.5 });
    expect(loose.pass).toBe(true);
  });

  it('uses the input option instead of sampleInput, without touching the caller array', () => {
    const input = new Float64Array([1, 1, 1, 1, 1, 1]);
    const report = checkGradients(new ScaleLayer(), { input });
    expect(report.pass).toBe(true);
    expect(Array.from(input)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(report.tensors[0].analytic)).not.toEqual(Array.from(checkGradients(new ScaleLayer()).tensors[0].analytic));
  });

  it('generates a seeded input from inputShape', () => {
    const layer = new ScaleLayer() as ScaleLayer & { inputShape?: number[] };
    Object.defineProperty(layer, 'sampleInput', { value: undefined });
    layer.inputShape = [6];
    const first = checkGradients(layer, { seed: 3 });
    const again = checkGradients(layer, { seed: 3 });
    const other = checkGradients(layer, { seed: 4 });
    expect(first.pass).toBe(true);
    expect(Array.from(first.tensors[0].analytic)).toEqual(Array.from(again.tensors[0].analytic));
    expect(Array.from(first.tensors[0].analytic)).not.toEqual(Array.from(other.tensors[0].analytic));
  });

  it('skips the input gradient when checkInput is false', () => {
    const report = checkGradients(new ScaleLayer(), { checkInput: false });
    expect(report.tensors.map((t) => t.name)).toEqual(['w', 'c']);
  });
});

describe('layers the check cannot trust', () => {
  it('refuses a nondeterministic forward and explains why', () => {
    const report = checkGradients(new TrainingModeDropout());
    expect(report.verdict).toBe('impossible');
    expect(report.pass).toBe(false);
    expect(report.problems[0].kind).toBe('nondeterministic-forward');
    expect(report.problems[0].message).toMatch(/switch dropout to eval mode/);
  });

  it('refuses a forward that overwrites its input', () => {
    const report = checkGradients(new InPlaceInput());
    expect(report.verdict).toBe('impossible');
    expect(report.problems[0]).toMatchObject({ kind: 'forward-mutates-input', position: [2] });
  });

  it('fails a backward that overwrites the upstream gradient', () => {
    const report = checkGradients(new UpstreamMutating());
    expect(report.verdict).toBe('fail');
    expect(report.problems.map((p) => p.kind)).toContain('backward-mutates-upstream');
  });

  it('catches a forgotten chain-rule multiply through linearity', () => {
    const report = checkGradients(new ForgottenChainRule());
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'backward-not-linear', tensor: 'w', position: [0] }));
    expect(report.tensors[0].pass).toBe(false);
  });

  it('catches a gradient term that does not vanish for a zero upstream gradient', () => {
    const report = checkGradients(new GradientOffset());
    const problem = report.problems.find((p) => p.kind === 'backward-not-linear');
    expect(problem?.message).toMatch(/backward\(0\)/);
  });

  it('refuses a NaN output at the unperturbed point as an input error naming the entry and the input', () => {
    expect(() => checkGradients(new NaNOutput())).toThrow(InputError);
    expect(() => checkGradients(new NaNOutput())).toThrow(
      'forward() returned NaN at output[2] for the input from layer.sampleInput() (shape [6]), before any perturbation.',
    );
  });

  it('fails an entry whose perturbation makes the loss NaN, naming it', () => {
    const report = checkGradients(new LogBarrier());
    const w = report.tensors[0];
    expect(w.failures).toHaveLength(1);
    expect(w.failures[0]).toMatchObject({ position: [3], kind: 'non-finite', error: Infinity });
    expect(Number.isFinite(w.failures[0].analytic)).toBe(true);
    expect(report.tensors.filter((t) => !t.pass).map((t) => t.name)).toEqual(['w']);
  });

  it('fails an infinite gradient entry by name and position', () => {
    const report = checkGradients(new InfiniteGradient());
    const w = report.tensors[0];
    expect(w.failures[0]).toMatchObject({ index: 4, position: [4], kind: 'non-finite', error: Infinity });
    expect(w.normalizedError).not.toBeNaN();
  });
});

describe('leaving the layer as it was', () => {
  const bits = (layer: ScaleLayer): string =>
    JSON.stringify([layer.w, layer.c, layer.dw, layer.dc].map((a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))));

  it('restores every parameter and gradient bit for bit after a check', () => {
    const layer = new ScaleLayer({ float32: true });
    layer.w[1] = 0.1; // not representable: θ + h − h would not round back to it
    layer.dw.fill(0.3);
    const before = bits(layer);
    checkGradients(layer);
    expect(bits(layer)).toBe(before);
  });

  it.each([3, 9, 40])('restores everything when forward throws on call %i', (call) => {
    const layer = new ThrowsHalfway(call);
    layer.dw.fill(-2);
    const before = bits(layer);
    const keys = Object.keys(layer);
    expect(() => checkGradients(layer)).toThrow(`forward failed on call ${call}`);
    expect(bits(layer)).toBe(before);
    expect(Object.keys(layer)).toEqual(keys);
  });

  it('puts back grad arrays that backward replaced', () => {
    const layer = new ScaleLayer({ allocateGrads: true });
    const { dw } = layer;
    checkGradients(layer);
    expect(layer.dw).toBe(dw);
  });
});
