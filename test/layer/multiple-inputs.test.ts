/**
 * Two argument shapes of the protocol beyond "one input": several inputs (`inputs(a, b)`,
 * `namedInputs({ … })`, one gradient per input from backward) and no input at all (forward()
 * without arguments, or `checkInput: false`). Every check also asserts that the layer and the
 * caller's input come back bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import type { GradientReport, TensorReport } from '../../src/check/report-types.js';
import { InputError } from '../../src/layer/input.js';
import { inputs, namedInputs } from '../../src/layer/multiple-inputs.js';
import { LayerProtocolError } from '../../src/layer/params.js';
import type { Layer } from '../../src/layer/protocol.js';
import { runEntry } from '../corpus/run-corpus.js';
import { checkKeepingState as check, thrownKeepingState as thrownBy } from '../helpers/check-keeping-state.js';
import {
  GatedValue,
  L2Regularizer,
  multiInputZoo,
  PRODUCT_A,
  PRODUCT_B,
  ScaledProduct,
  WEIGHTED_SUM_INPUTS,
  WeightedSum,
} from '../zoo/protocol/multi-input.js';
import { pack } from '../zoo/tensor-utils.js';

const shapes = (report: GradientReport): [string, number[], number][] => report.tensors.map((t) => [t.name, t.shape, t.size]);

/** Failing positions per tensor, in index order; tensors without failures left out. */
function failingPositions(report: GradientReport): Record<string, number[][]> {
  const failing = report.tensors.filter((t) => t.failures.length > 0);
  return Object.fromEntries(failing.map((t) => [t.name, [...t.failures].sort((x, y) => x.index - y.index).map((f) => f.position)]));
}

const tensor = (report: GradientReport, name: string): TensorReport => {
  const found = report.tensors.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tensor '${name}' in [${report.tensors.map((t) => t.name)}]`);
  return found;
};

const EVERY_2X3 = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]];
const EVERY_4 = [[0], [1], [2], [3]];

describe('several positional inputs: inputs(a, b)', () => {
  it('passes the correct layer and reports each input as its own tensor', () => {
    const report = check(new ScaledProduct());
    expect(report.verdict).toBe('pass');
    expect(report.settings.dtype).toBe('float64');
    expect(shapes(report)).toEqual([
      ['w', [6], 6],
      ['c', [6], 6],
      ['input[0]', [2, 3], 6],
      ['input[1]', [2, 3], 6],
    ]);
    expect(report.problems).toEqual([]);
    expect(report.normalizedError).toBeLessThan(1e-9);
  });

  it('lines the gradients up with the inputs: da / db = b / a at every entry', () => {
    const report = check(new ScaledProduct());
    const da = tensor(report, 'input[0]').analytic;
    const db = tensor(report, 'input[1]').analytic;
    // da = g·w·b and db = g·w·a for the same upstream g: their ratio is b/a, whatever g is.
    for (let i = 0; i < 6; i++) expect(da[i] / db[i]).toBeCloseTo(PRODUCT_B[i] / PRODUCT_A[i], 12);
  });

  it('takes the inputs from the input option, and never changes the caller values', () => {
    const a = pack('nested', 'float64', PRODUCT_A.map((v) => 2 * v), [2, 3]);
    const b = pack('nested', 'float64', PRODUCT_B, [2, 3]);
    const given = inputs(a, b);
    const report = check(new ScaledProduct(), { input: given }, given);
    expect(report.verdict).toBe('pass');
    // db = g·w·a: the doubled a of the option, not the sample's.
    const fromSample = tensor(check(new ScaledProduct()), 'input[1]').analytic;
    expect(Array.from(tensor(report, 'input[1]').analytic)).toEqual(Array.from(fromSample, (v) => 2 * v));
  });

  it('passes the float32 layer with float32 defaults', () => {
    const report = check(new ScaledProduct('float32'));
    expect(report.verdict).toBe('pass');
    expect(report.settings.dtype).toBe('float32');
    expect(report.settings.tolerance).toBe(1e-2);
    expect(report.tensors.map((t) => [t.name, t.dtype])).toEqual([
      ['w', 'float32'],
      ['c', 'float32'],
      ['input[0]', 'float32'],
      ['input[1]', 'float32'],
    ]);
  });

  it('finds a wrong entry of the second input in float32 too', () => {
    const report = check(new ScaledProduct('float32', 'db-entry-wrong'));
    expect(report.verdict).toBe('fail');
    expect(failingPositions(report)).toEqual({ 'input[1]': [[0, 2]] });
  });
});

describe('several named inputs: namedInputs({ query, key, value })', () => {
  it('passes with backward returning a record, each input reported under its name', () => {
    const report = check(new WeightedSum({ returns: 'record' }));
    expect(report.verdict).toBe('pass');
    expect(shapes(report)).toEqual([
      ['mix', [3], 3],
      ['query', [4], 4],
      ['key', [4], 4],
      ['value', [4], 4],
    ]);
  });

  it('passes with backward returning an array in the order of the names, with the same gradients', () => {
    const asRecord = check(new WeightedSum({ returns: 'record' }));
    const asArray = check(new WeightedSum({ returns: 'array' }));
    expect(asArray.verdict).toBe('pass');
    expect(asArray.tensors.map((t) => t.name)).toEqual(['mix', 'query', 'key', 'value']);
    for (const name of ['query', 'key', 'value']) expect(tensor(asArray, name).analytic).toEqual(tensor(asRecord, name).analytic);
  });

  it('reads each record key into its own input: dquery / dkey = mix₀ / mix₁', () => {
    const report = check(new WeightedSum());
    const dquery = tensor(report, 'query').analytic;
    const dkey = tensor(report, 'key').analytic;
    for (let i = 0; i < 4; i++) expect(dquery[i] / dkey[i]).toBeCloseTo(0.7 / -1.3, 12);
  });

  it('passes the input option given as namedInputs, without changing the caller values', () => {
    const given = namedInputs({
      query: Float64Array.from(WEIGHTED_SUM_INPUTS.query),
      key: Float64Array.from(WEIGHTED_SUM_INPUTS.value),
      value: Float64Array.from(WEIGHTED_SUM_INPUTS.key),
    });
    const report = check(new WeightedSum(), { input: given }, given);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['mix', 'query', 'key', 'value']);
  });
});

interface BugCase {
  entry: string;
  bug: string;
  failures: Record<string, number[][]>;
}

const BUG_CASES: BugCase[] = [
  { entry: 'multi-input-product', bug: 'db-entry-wrong', failures: { 'input[1]': [[0, 2]] } },
  { entry: 'multi-input-product', bug: 'input-grads-swapped', failures: { 'input[0]': EVERY_2X3, 'input[1]': EVERY_2X3 } },
  { entry: 'multi-input-product', bug: 'dw-forgets-b', failures: { w: [[0], [1], [2], [3], [4], [5]] } },
  { entry: 'multi-input-product', bug: 'dc-entry-dropped', failures: { c: [[4]] } },
  { entry: 'multi-input-weighted-sum', bug: 'dkey-entry-wrong', failures: { key: [[1]] } },
  { entry: 'multi-input-weighted-sum', bug: 'query-key-swapped', failures: { query: EVERY_4, key: EVERY_4 } },
  { entry: 'multi-input-weighted-sum', bug: 'dmix-value-uses-key', failures: { mix: [[2]] } },
  { entry: 'multi-input-name-collision', bug: 'dvalue-input-entry-negated', failures: { 'input.value': [[1]] } },
  { entry: 'multi-input-name-collision', bug: 'dvalue-param-uses-key', failures: { value: [[0], [1], [2]] } },
  { entry: 'params-only-l2', bug: 'dW-entry-doubled', failures: { W: [[1, 2]] } },
  { entry: 'params-only-l2', bug: 'db-uses-W-coefficient', failures: { b: [[0], [1], [2]] } },
];

describe('planted bugs', () => {
  it.each(BUG_CASES)('$entry/$bug fails at exactly its entries, in float64', ({ entry, bug, failures }) => {
    const variant = multiInputZoo.find((e) => e.name === entry)!.bugs.find((b) => b.name === bug)!;
    // The zoo's own account of the bug names the same tensors the check blames.
    expect([...variant.wrongTensors].sort()).toEqual(Object.keys(failures).sort());
    const report = check(variant.make('float64'));
    expect(report.verdict).toBe('fail');
    expect(failingPositions(report)).toEqual(failures);
    expect(report.problems).toEqual([]);
    for (const t of report.tensors) expect(t.pass).toBe(!(t.name in failures));
  });

  it('finds a wrong key entry when backward returns the named gradients as an array', () => {
    const report = check(new WeightedSum({ returns: 'array', bug: 'dkey-entry-wrong' }));
    expect(report.verdict).toBe('fail');
    expect(failingPositions(report)).toEqual({ key: [[1]] });
  });

  it('checks every zoo entry here as the corpus does: correct passes, each bug is blamed at its entries only', () => {
    const rows = multiInputZoo.flatMap((entry) => runEntry(entry));
    expect(rows.filter((r) => !r.ok).map((r) => `${r.layer}/${r.variant}/${r.dtype}: ${r.verdict} [${r.blamed}]`)).toEqual([]);
    // 3 entries in both dtypes, 1 in float64 only; every bug in every dtype it exists in.
    expect(rows.filter((r) => r.expected === 'pass')).toHaveLength(7);
    expect(rows.filter((r) => r.expected === 'fail')).toHaveLength(2 * (4 + 3 + 2) + 2);
  });
});

/** ScaledProduct whose backward hands out only da; `missing` is what it returns for db. */
class FirstGradientOnly extends ScaledProduct {
  constructor(
    private readonly missing: null | undefined,
    bug?: string,
  ) {
    super('float64', bug);
  }
  override backward(gradOutput: unknown): unknown[] {
    const [da] = super.backward(gradOutput);
    return [da, this.missing];
  }
}

describe('an input whose gradient backward leaves out', () => {
  it.each([null, undefined])('is not checked, and not reported, when its entry is %s', (missing) => {
    const report = check(new FirstGradientOnly(missing));
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['w', 'c', 'input[0]']);
    // One finite difference per entry of the tensors reported, plus the fixed calls: input[1] is not swept.
    const checked = checkGradients(new ScaledProduct());
    expect(report.forwardCalls).toBeLessThan(checked.forwardCalls);
  });

  it('still checks the inputs that have a gradient', () => {
    // The swap puts db (= g·w·a) where da belongs; db itself is then left out.
    const report = check(new FirstGradientOnly(null, 'input-grads-swapped'));
    expect(report.verdict).toBe('fail');
    expect(failingPositions(report)).toEqual({ 'input[0]': EVERY_2X3 });
  });

  it('leaves out a named input whose record entry is null', () => {
    const layer = new WeightedSum({ bug: 'dkey-entry-wrong' });
    const backward = layer.backward.bind(layer);
    // The wrong key gradient is never read: the key is not checked.
    const report = check(Object.assign(layer, { backward: (g: unknown) => ({ ...(backward(g) as object), key: null }) }));
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['mix', 'query', 'value']);
  });

  it('checks the parameters alone when every input gradient is null', () => {
    const layer = new ScaledProduct('float64', 'dc-entry-dropped');
    const backward = layer.backward.bind(layer);
    const report = check(Object.assign(layer, { backward: (g: unknown) => (backward(g), [null, null]) }));
    expect(report.tensors.map((t) => t.name)).toEqual(['w', 'c']);
    expect(failingPositions(report)).toEqual({ c: [[4]] });
  });
});

/** The layer with its backward's return value replaced by `returned(da, db)`. */
function productReturning(returned: (da: unknown, db: unknown) => unknown): ScaledProduct {
  const layer = new ScaledProduct();
  const backward = layer.backward.bind(layer);
  return Object.assign(layer, {
    backward: (g: unknown) => {
      const [da, db] = backward(g);
      return returned(da, db);
    },
  });
}

/** WeightedSum whose backward returns its record with `change` applied. */
function weightedSumReturning(change: (record: Record<string, unknown>) => Record<string, unknown>): WeightedSum {
  const layer = new WeightedSum();
  const backward = layer.backward.bind(layer);
  return Object.assign(layer, { backward: (g: unknown) => change({ ...(backward(g) as Record<string, unknown>) }) });
}

describe('input gradients in the wrong form', () => {
  it.each([
    ['one gradient for two inputs', (da: unknown) => [da], /^backward\(\) returned an array of length 1, but the layer has 2 inputs \(input\[0\], input\[1\]\)/],
    ['three gradients for two inputs', (da: unknown, db: unknown) => [da, db, db], /^backward\(\) returned an array of length 3, but the layer has 2 inputs \(input\[0\], input\[1\]\)/],
    ['one flat array', () => new Float64Array(6), /^backward\(\) returned a Float64Array of length 6, but the layer has 2 inputs \(input\[0\], input\[1\]\)/],
    ['a number', () => 3, /^backward\(\) returned number 3, but the layer has 2 inputs \(input\[0\], input\[1\]\)/],
    // As many numbers as inputs: not one gradient per input, whatever the count says.
    ['one number per input', () => [0.5, -2], /^backward\(\) returned an array of 2 numbers, but the layer has 2 inputs \(input\[0\], input\[1\]\)/],
  ])('refuses %s, naming the inputs and the forms it takes', (_case, returned, message) => {
    const error = thrownBy(productReturning(returned));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(
      ": return one gradient per input, each in its input's form, as an array [dinput0, dinput1] (null for an input not to be checked) or a record keyed by the input names.",
    );
  });

  it('refuses a gradient of the wrong size, naming its input', () => {
    const error = thrownBy(productReturning((da) => [da, new Float64Array(5)]));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toBe('backward() returned the gradient of input[1] of 5 entries for an input of 6; they must have the same shape.');
  });

  it('refuses a gradient that is not numbers, naming its input', () => {
    const error = thrownBy(productReturning((da) => [da, 'oops']));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toBe(`backward() returned string "oops" as the gradient of input[1]; it must be in the input's form (or nothing).`);
  });

  it('refuses a record with an unknown key, naming the key and the inputs', () => {
    const error = thrownBy(weightedSumReturning((r) => ({ ...r, bias: r.value })));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toBe(
      "backward() returned a record of input gradients with 'bias', which is not an input. The layer's inputs are query, key, value: " +
        'key the record by exactly these names, with null for an input whose gradient is not to be checked.',
    );
  });

  it('refuses a record with a missing key rather than leave that input unchecked', () => {
    const error = thrownBy(weightedSumReturning(({ value: _value, ...rest }) => rest));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toMatch(/^backward\(\) returned a record of input gradients without 'value'\. The layer's inputs are query, key, value:/);
  });

  it('refuses a misspelt key, naming both the stray key and the input it left out', () => {
    const error = thrownBy(weightedSumReturning(({ value, ...rest }) => ({ ...rest, values: value })));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toMatch(/^backward\(\) returned a record of input gradients with 'values', which is not an input and without 'value'\./);
  });

  it('refuses inputs() with no values, from the option or from sampleInput()', () => {
    const fromOption = thrownBy(new ScaledProduct(), { input: inputs() });
    expect(fromOption).toBeInstanceOf(LayerProtocolError);
    expect(fromOption.message).toBe(
      'the input option gave inputs() with no values; pass at least one, or omit the input for a layer whose forward takes none.',
    );
    const layer = Object.assign(new ScaledProduct(), { sampleInput: () => namedInputs({}) });
    const fromSample = thrownBy(layer);
    expect(fromSample).toBeInstanceOf(LayerProtocolError);
    expect(fromSample.message).toMatch(/^layer\.sampleInput\(\) gave inputs\(\) with no values;/);
  });
});

describe('a named input that shares its name with a parameter', () => {
  it('is reported as input.<name>, while backward keys its record by the name it was given', () => {
    const report = check(new GatedValue());
    expect(report.verdict).toBe('pass');
    expect(shapes(report)).toEqual([
      ['value', [3], 3],
      ['input.value', [3], 3],
      ['key', [3], 3],
    ]);
  });

  it('accepts the record keyed by the reported name input.<name> as well', () => {
    const layer = new GatedValue('dvalue-input-entry-negated');
    const backward = layer.backward.bind(layer);
    const renamed = Object.assign(layer, {
      backward: (g: Float64Array) => {
        const { value, key } = backward(g);
        return { 'input.value': value, key };
      },
    });
    const report = check(renamed);
    expect(failingPositions(report)).toEqual({ 'input.value': [[1]] });
  });

  it('names input.<name> when the gradients come as an array', () => {
    const layer = new GatedValue('dvalue-input-entry-negated');
    const backward = layer.backward.bind(layer);
    const report = check(Object.assign(layer, { backward: (g: Float64Array) => Object.values(backward(g)) }));
    expect(report.tensors.map((t) => t.name)).toEqual(['value', 'input.value', 'key']);
    expect(failingPositions(report)).toEqual({ 'input.value': [[1]] });
  });
});

describe('inputs the check cannot use', () => {
  it('stops at a forward that changes its second input, naming that input and the entry', () => {
    const layer = new ScaledProduct();
    const forward = layer.forward.bind(layer);
    const mutating = Object.assign(layer, {
      forward: (a: unknown, b: number[][]) => {
        const out = forward(a, b);
        b[1][0] += 1;
        return out;
      },
    });
    const given = inputs(pack('nested', 'float64', PRODUCT_A, [2, 3]), pack('nested', 'float64', PRODUCT_B, [2, 3]));
    const report = check(mutating, { input: given }, given);
    expect(report.verdict).toBe('impossible');
    expect(report.tensors).toEqual([]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ kind: 'forward-mutates-input', tensor: 'input[1]', position: [1, 0] });
    expect(report.problems[0].message).toMatch(/^forward\(\) changed its input at input\[1\]\[1,0\]\./);
  });

  it('names a changed named input by its name', () => {
    const layer = new WeightedSum();
    const forward = layer.forward.bind(layer);
    const mutating = Object.assign(layer, {
      forward: (query: unknown, key: Float64Array, value: unknown) => {
        key[3] = 0;
        return forward(query, key, value);
      },
    });
    const report = check(mutating);
    expect(report.problems.map((p) => [p.kind, p.tensor, p.position])).toEqual([['forward-mutates-input', 'key', [3]]]);
  });

  it('refuses NaN in the second positional input with an InputError naming it', () => {
    const b = pack('nested', 'float64', PRODUCT_B, [2, 3]) as number[][];
    b[0][1] = NaN;
    const given = inputs(pack('nested', 'float64', PRODUCT_A, [2, 3]), b);
    const error = thrownBy(new ScaledProduct(), { input: given }, given);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'the inputs from the input option (input[0]: shape [2,3]; input[1]: shape [2,3]) holds NaN at input[1][0,1]; ' +
        'gradients cannot be checked at a non-finite input. Pass finite values.',
    );
  });

  it('refuses Infinity in a named input, naming it', () => {
    const layer = new WeightedSum();
    const sampleInput = layer.sampleInput.bind(layer);
    const withInfinity = Object.assign(layer, {
      sampleInput: () => {
        const sample = sampleInput();
        (sample.values[2] as Float64Array)[2] = -Infinity;
        return sample;
      },
    });
    const error = thrownBy(withInfinity);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/^the inputs from layer\.sampleInput\(\) \(query: shape \[4\]; key: shape \[4\]; value: shape \[4\]\) holds -Infinity at value\[2\];/);
  });
});

/** y = w ⊙ x over six entries of any container form; counts the arguments of every forward call. */
function countingScale(argumentCounts: number[]): Layer & { w: Float64Array } {
  const w = Float64Array.from([0.5, -1, 2, 1.5, -0.25, 0.75]);
  const dw = new Float64Array(6);
  let x = new Float64Array(6);
  return {
    w,
    params: { w },
    grads: { w: dw },
    forward(input: unknown) {
      argumentCounts.push(arguments.length);
      x = Float64Array.from((input as ArrayLike<number>[]).flatMap((row) => Array.from(row)));
      return x.map((v, i) => v * w[i]);
    },
    backward(g: Float64Array) {
      g.forEach((gi, i) => (dw[i] = gi * x[i]));
      return [Array.from(g.subarray(0, 3), (gi, i) => gi * w[i]), Array.from(g.subarray(3), (gi, i) => gi * w[i + 3])];
    },
  };
}

describe('a single array input', () => {
  it('stays one input: input [x, y] is a 2-row matrix, passed as one argument', () => {
    const counts: number[] = [];
    const given = [Float64Array.from([1, 2, 3]), Float64Array.from([-1, 0.5, 4])];
    const report = check(countingScale(counts), { input: given }, given);
    expect(report.verdict).toBe('pass');
    expect(shapes(report)).toEqual([
      ['w', [6], 6],
      ['input', [2, 3], 6],
    ]);
    expect(counts).toHaveLength(report.forwardCalls);
    expect(new Set(counts)).toEqual(new Set([1]));
  });
});

/**
 * L2Regularizer counting the arguments of every forward call (declared without parameters, like
 * the base). The counts go out through a function: an array held by the layer would be layer state,
 * which the check puts back as it was.
 */
class CountingRegularizer extends L2Regularizer {
  constructor(
    private readonly countArguments: (count: number) => void,
    bug?: string,
  ) {
    super('float64', bug);
  }
  override forward(): number {
    this.countArguments(arguments.length);
    return super.forward();
  }
}

/** The same, but with forward declared to take an input it never uses. */
class RegularizerDeclaringInput extends L2Regularizer {
  constructor(private readonly countArguments: (count: number) => void) {
    super();
  }
  override forward(x?: unknown): number {
    this.countArguments(arguments.length);
    if (x !== undefined) throw new Error('RegularizerDeclaringInput: given an input');
    return super.forward();
  }
}

describe('layers without input', () => {
  it('calls forward() with no arguments and checks the parameters only', () => {
    const counts: number[] = [];
    const layer = new CountingRegularizer((count) => counts.push(count));
    expect(layer.forward.length).toBe(0);
    const report = check(layer);
    expect(report.verdict).toBe('pass');
    expect(shapes(report)).toEqual([
      ['W', [2, 3], 6],
      ['b', [3], 3],
    ]);
    expect(counts).toHaveLength(report.forwardCalls);
    expect(new Set(counts)).toEqual(new Set([0]));
  });

  it('finds a wrong entry of a parameter of a loss without input', () => {
    const report = check(new CountingRegularizer(() => {}, 'dW-entry-doubled'));
    expect(report.verdict).toBe('fail');
    expect(failingPositions(report)).toEqual({ W: [[1, 2]] });
  });

  it('with checkInput: false, calls a forward(x) with no arguments when no input is given', () => {
    const counts: number[] = [];
    const layer = new RegularizerDeclaringInput((count) => counts.push(count));
    expect(layer.forward.length).toBe(1);
    const report = check(layer, { checkInput: false });
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['W', 'b']);
    expect(counts).toHaveLength(report.forwardCalls);
    expect(new Set(counts)).toEqual(new Set([0]));
  });

  it('with checkInput: false and inputs(a, b), passes both and checks the parameters only', () => {
    // The swapped input gradients would fail if they were read.
    const layer = new ScaledProduct('float64', 'input-grads-swapped');
    const report = check(layer, { checkInput: false });
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['w', 'c']);
    // dw = g·a·b: right only if forward saw both inputs.
    const buggy = check(new ScaledProduct('float64', 'dw-forgets-b'), { checkInput: false });
    expect(failingPositions(buggy)).toEqual({ w: [[0], [1], [2], [3], [4], [5]] });
  });

  it('refuses a forward(x) with no input and checkInput left on, saying how to give one', () => {
    const error = thrownBy(new RegularizerDeclaringInput(() => {}));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toBe(
      'The layer has no input to check with. Pass one with toHaveCorrectGradients({ input }), ' +
        'give the layer a sampleInput() method, or declare layer.inputShape (e.g. [2, 3]) for a seeded random input. ' +
        'For a loss of the parameters alone, declare forward() without arguments or pass checkInput: false.',
    );
  });

  it('refuses an input gradient from the backward of a layer without input', () => {
    const layer = new L2Regularizer();
    const backward = layer.backward.bind(layer);
    const error = thrownBy(Object.assign(layer, { backward: (g: number) => (backward(g), [g]) }));
    expect(error).toBeInstanceOf(LayerProtocolError);
    expect(error.message).toBe(
      'backward() returned an array of length 1, but forward() took no input: there is no input to take a gradient of. Return nothing.',
    );
  });
});
