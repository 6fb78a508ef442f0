/**
 * The option `gradientFactor`: a layer's declared gradient convention (backward gives that multiple
 * of the true gradient, e.g. 1/B for a library that averages over a batch of B). The checker divides
 * backward's values by it before comparing, names it in the text and the JSON, and the scale
 * diagnosis suggests it. A declaration must never hide a bug: a planted bug fails at its entry, and a
 * wrong factor fails.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import { OptionsError, type GradientCheckOptions } from '../../../src/check/options.js';
import type { Diagnosis, GradientReport, TensorReport } from '../../../src/check/report-types.js';
import { formatReport } from '../../../src/report/format-report.js';
import { reportToJSON } from '../../../src/report/to-json.js';
import { BatchAveragedDense, type BatchAveragedOptions } from '../../zoo/protocol/batch-averaged.js';

const check = (layerOptions: BatchAveragedOptions = {}, options: GradientCheckOptions = {}): GradientReport =>
  checkGradients(new BatchAveragedDense(layerOptions), options);

/** Failing entries per tensor, by report name. */
const failureCounts = (report: GradientReport): Record<string, number> => Object.fromEntries(report.tensors.map((t) => [t.name, t.failures.length]));

/** The declared factor per tensor, by report name. */
const factors = (report: GradientReport): Record<string, number> => Object.fromEntries(report.tensors.map((t) => [t.name, t.gradientFactor]));

const tensorOf = (report: GradientReport, name: string): TensorReport => {
  const found = report.tensors.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no tensor ${name} in the report`);
  return found;
};

const named = (diagnoses: readonly Diagnosis[]): string[] => diagnoses.map((d) => `${d.tensor}:${d.kind}`);

/**
 * What the scale diagnoses suggest declaring: the number of `{ gradientFactor: 1 / n }` when every
 * parameter shows the same factor, else the record of each `{ gradientFactor: { name: 1 / n } }`.
 */
function suggestedDeclaration(diagnoses: readonly Diagnosis[]): number | Record<string, number> {
  const record: Record<string, number> = {};
  const shared = new Set<number>();
  const valueOf = (inverse: string | undefined, whole: string | undefined): number => (inverse !== undefined ? 1 / Number(inverse) : Number(whole));
  for (const diagnosis of diagnoses) {
    const once = /declare it once: \{ gradientFactor: (?:1 \/ (\d+)|(\d+)) \}$/.exec(diagnosis.message);
    if (once !== null) {
      shared.add(valueOf(once[1], once[2]));
      continue;
    }
    const match = /declare(?: it:)? \{ gradientFactor: \{ ("[^"]+"|\w+): (?:1 \/ (\d+)|(\d+)) \} \}$/.exec(diagnosis.message);
    if (match === null) throw new Error(`no declaration in: ${diagnosis.message}`);
    const name = match[1].startsWith('"') ? (JSON.parse(match[1]) as string) : match[1];
    record[name] = valueOf(match[2], match[3]);
  }
  if (shared.size > 0) {
    expect(shared.size).toBe(1);
    expect(record).toEqual({});
    return [...shared][0];
  }
  return record;
}

const averagedHint = (name: string, batch: number): string =>
  `If the library scales this gradient on purpose (averaging over the batch), declare it: { gradientFactor: { ${name}: 1 / ${batch} } }`;

/** The hint when every parameter shows the same factor: one number covers them all. */
const sharedHint = (batch: number): string =>
  `Every parameter shows this factor; if the library scales its gradients on purpose (averaging over the batch), declare it once: { gradientFactor: 1 / ${batch} }`;

describe('gradientFactor: without it, an averaging layer fails and the diagnosis names the option', () => {
  it.each([2, 3, 4, 5])('batch %i: W and b fail on every entry, the input passes, and both get the one hint gradientFactor: 1 / B', (batch) => {
    const report = check({ batch });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 6, b: 2, input: 0 });
    expect(factors(report)).toEqual({ W: 1, b: 1, input: 1 });
    expect(named(report.diagnoses)).toEqual(['W:scale', 'b:scale']);
    for (const diagnosis of report.diagnoses) {
      expect(diagnosis.factor).toBe(1 / batch);
      expect(diagnosis.gradientFactor).toBe(1 / batch);
      expect(diagnosis.message.endsWith(sharedHint(batch))).toBe(true);
    }
    // Analytic here is backward's own value: a B-th of the finite difference on every entry.
    for (const name of ['W', 'b']) {
      const tensor = tensorOf(report, name);
      for (let k = 0; k < tensor.size; k++) expect(tensor.analytic[k] * batch).toBeCloseTo(tensor.numeric[k], 8);
    }
  });

  it('following the suggested declaration makes the check pass', () => {
    const without = check({ batch: 3 });
    const suggested = suggestedDeclaration(without.diagnoses);
    expect(suggested).toBe(1 / 3);
    const report = check({ batch: 3 }, { gradientFactor: suggested });
    expect(report.verdict).toBe('pass');
    expect(report.diagnoses).toEqual([]);
  });
});

describe('gradientFactor: a declared convention passes', () => {
  it('a number applies to every parameter and not to the input, dividing backward exactly', () => {
    const without = check();
    const report = check({}, { gradientFactor: 1 / 4 });
    expect(report.verdict).toBe('pass');
    expect(report.pass).toBe(true);
    expect(failureCounts(report)).toEqual({ W: 0, b: 0, input: 0 });
    expect(factors(report)).toEqual({ W: 0.25, b: 0.25, input: 1 });
    // Dividing by ¼ is exact in binary: the compared analytic is exactly 4 × backward's value.
    for (const name of ['W', 'b']) {
      expect(Array.from(tensorOf(report, name).analytic)).toEqual(Array.from(tensorOf(without, name).analytic, (v) => 4 * v));
    }
    expect(Array.from(tensorOf(report, 'input').analytic)).toEqual(Array.from(tensorOf(without, 'input').analytic));
  });

  it('a per-tensor record passes', () => {
    const report = check({}, { gradientFactor: { W: 0.25, b: 0.25 } });
    expect(report.verdict).toBe('pass');
    expect(factors(report)).toEqual({ W: 0.25, b: 0.25, input: 1 });
  });

  it('a record declaring only W leaves b failing, with the hint for b alone', () => {
    const report = check({}, { gradientFactor: { W: 0.25 } });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 0, b: 2, input: 0 });
    expect(factors(report)).toEqual({ W: 0.25, b: 1, input: 1 });
    expect(named(report.diagnoses)).toEqual(['b:scale']);
    expect(report.diagnoses[0].message.endsWith(averagedHint('b', 4))).toBe(true);
  });

  it('per-tensor conventions: a layer averaging W but not b passes with { W: 1/4 }, and fails on b alone under the number 1/4', () => {
    expect(check({ averaging: 'mean-W-only' }, { gradientFactor: { W: 0.25 } }).verdict).toBe('pass');
    const report = check({ averaging: 'mean-W-only' }, { gradientFactor: 0.25 });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 0, b: 2, input: 0 });
    expect(named(report.diagnoses)).toEqual(['b:scale']);
    expect(report.diagnoses[0].factor).toBe(4);
    expect(report.diagnoses[0].message).toBe(
      'analytic ≈ 4 × numeric: a factor 4 too large (a missing division by 4, the batch size or a count?). ' +
        'The declared gradientFactor 1 / 4 does not explain it; if the convention is 1, declare { gradientFactor: { b: 1 } }',
    );
  });

  it('the number leaves the input alone: a layer that also averages the input gradient fails on input only, with the input hint', () => {
    const report = check({ averaging: 'mean-all' }, { gradientFactor: 0.25 });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 0, b: 0, input: 12 });
    expect(named(report.diagnoses)).toEqual(['input:scale']);
    expect(report.diagnoses[0].message.endsWith(averagedHint('input', 4))).toBe(true);
  });

  it("a record's input entry applies to the input", () => {
    const report = check({ averaging: 'mean-all' }, { gradientFactor: { W: 0.25, b: 0.25, input: 0.25 } });
    expect(report.verdict).toBe('pass');
    expect(factors(report)).toEqual({ W: 0.25, b: 0.25, input: 0.25 });
    // The same entry on a layer whose input gradient is exact makes the input 4 × too large.
    const wrong = check({ averaging: 'mean' }, { gradientFactor: { W: 0.25, b: 0.25, input: 0.25 } });
    expect(failureCounts(wrong)).toEqual({ W: 0, b: 0, input: 12 });
    expect(named(wrong.diagnoses)).toEqual(['input:scale']);
    expect(wrong.diagnoses[0].factor).toBe(4);
  });

  it('record keys are the report names: a dotted name is declared and suggested quoted', () => {
    // Only W averages, so the hint is for W alone and names it by its report name.
    const without = check({ namePrefix: 'dense1.', averaging: 'mean-W-only' });
    expect(without.diagnoses.map((d) => d.message.slice(d.message.indexOf('declare it:')))).toEqual([
      'declare it: { gradientFactor: { "dense1.W": 1 / 4 } }',
    ]);
    const record = suggestedDeclaration(without.diagnoses);
    expect(record).toEqual({ 'dense1.W': 0.25 });
    expect(check({ namePrefix: 'dense1.', averaging: 'mean-W-only' }, { gradientFactor: record }).verdict).toBe('pass');
    // When every parameter averages, one number is suggested and declaring it passes.
    const both = check({ namePrefix: 'dense1.' });
    expect(suggestedDeclaration(both.diagnoses)).toBe(0.25);
    expect(check({ namePrefix: 'dense1.' }, { gradientFactor: 0.25 }).verdict).toBe('pass');
  });

  it('the one-number hint needs every parameter at the same factor, nothing declared, and no other finding', () => {
    // W alone averaged: the per-tensor hint.
    expect(named(check({ averaging: 'mean-W-only' }).diagnoses)).toEqual(['W:scale']);
    expect(check({ averaging: 'mean-W-only' }).diagnoses[0].message.endsWith(averagedHint('W', 4))).toBe(true);
    // W declared, b not: the hint is for b alone.
    const partly = check({}, { gradientFactor: { W: 0.25 } });
    expect(partly.diagnoses.map((d) => d.message.endsWith(averagedHint('b', 4)))).toEqual([true]);
    // The input averaged too: the parameters share the one number, the input keeps its own key (a number never covers inputs).
    const all = check({ averaging: 'mean-all' });
    expect(named(all.diagnoses)).toEqual(['W:scale', 'b:scale', 'input:scale']);
    expect(all.diagnoses.map((d) => d.message.endsWith(d.tensor === 'input' ? averagedHint('input', 4) : sharedHint(4)))).toEqual([true, true, true]);
    // A planted single-entry bug on top of the convention: W has another finding, so no shared hint.
    const buggy = check({ wrongEntry: [1, 2] });
    expect(buggy.diagnoses.some((d) => d.message.includes('declare it once'))).toBe(false);
  });

  it('applies in projection mode too', () => {
    const declared = check({}, { mode: 'projection', gradientFactor: 0.25 });
    expect(declared.mode.kind).toBe('projection');
    expect(declared.verdict).toBe('pass');
    const undeclared = check({}, { mode: 'projection' });
    expect(undeclared.mode.kind).toBe('projection');
    expect(undeclared.verdict).toBe('fail');
    expect(failureCounts(undeclared).input).toBe(0);
    expect(failureCounts(undeclared).W).toBeGreaterThan(0);
    expect(failureCounts(undeclared).b).toBeGreaterThan(0);
  });
});

describe('gradientFactor never hides a bug', () => {
  it.each<[[number, number], GradientCheckOptions['gradientFactor']]>([
    [[1, 2], 0.25],
    [[0, 0], 0.25],
    [[1, 2], { W: 0.25, b: 0.25 }],
  ])('a doubled dW%j on top of the convention fails at exactly that entry (factor %j)', (position, gradientFactor) => {
    const report = check({ wrongEntry: position }, { gradientFactor });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 1, b: 0, input: 0 });
    const [failure] = tensorOf(report, 'W').failures;
    expect(failure.position).toEqual(position);
    expect(failure.index).toBe(position[0] * 3 + position[1]);
    expect(failure.analytic / failure.numeric).toBeCloseTo(2, 8);
    expect(report.diagnoses).toEqual([
      { kind: 'single-entry', tensor: 'W', position, message: `only W[${position.join(',')}] is wrong: an index or a single-term mistake?` },
    ]);
  });

  it('a wrong factor fails: 1/3 declared for a 1/4 convention, and the hint names 1/4', () => {
    const report = check({}, { gradientFactor: 1 / 3 });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 6, b: 2, input: 0 });
    expect(named(report.diagnoses)).toEqual(['W:scale', 'b:scale']);
    expect(report.diagnoses.map((d) => d.factor)).toEqual([0.75, 0.75]);
    expect(report.diagnoses[0].message).toBe(
      'analytic ≈ 0.75 × numeric on every failing entry: a constant factor is off. ' +
        'The declared gradientFactor 1 / 3 does not explain it; if the convention is 1 / 4, declare { gradientFactor: { W: 1 / 4 } }',
    );
  });

  it('dividing by B − 1 is another convention: 1/B fails, the hint names 1/(B − 1) exactly, and that declaration passes', () => {
    const report = check({ averaging: 'mean-over-B-minus-1' }, { gradientFactor: 1 / 4 });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 6, b: 2, input: 0 });
    expect(report.diagnoses.map((d) => d.factor)).toEqual([1.333, 1.333]);
    for (const diagnosis of report.diagnoses) {
      expect(diagnosis.message.endsWith(
        `The declared gradientFactor 1 / 4 does not explain it; if the convention is 1 / 3, declare { gradientFactor: { ${diagnosis.tensor}: 1 / 3 } }`,
      )).toBe(true);
    }
    const record = suggestedDeclaration(report.diagnoses);
    expect(record).toEqual({ W: 1 / 3, b: 1 / 3 });
    expect(check({ averaging: 'mean-over-B-minus-1' }, { gradientFactor: record }).verdict).toBe('pass');
  });

  it('a negative factor is accepted and divides with its sign: −1/4 on a 1/4 convention is a sign flip on W and b', () => {
    const report = check({}, { gradientFactor: -0.25 });
    expect(report.verdict).toBe('fail');
    expect(factors(report)).toEqual({ W: -0.25, b: -0.25, input: 1 });
    expect(failureCounts(report)).toEqual({ W: 6, b: 2, input: 0 });
    expect(report.diagnoses).toEqual([
      { kind: 'sign', tensor: 'W', message: 'analytic = −numeric: a sign flip?', factor: -1 },
      { kind: 'sign', tensor: 'b', message: 'analytic = −numeric: a sign flip?', factor: -1 },
    ]);
  });
});

describe('gradientFactor in the text report and the JSON', () => {
  it('each declared tensor line says analytic = backward ÷ factor; undeclared lines do not', () => {
    const lines = formatReport(check({}, { gradientFactor: { W: 0.25, b: 1 } })).split('\n');
    expect(lines.filter((l) => l.includes('declared gradientFactor'))).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}W {6}\[2,3\] {7}ok {16}normalized error \S+ \(correct\), analytic = backward ÷ 0\.25 \(declared gradientFactor\)$/),
    );
    // A declared 1 changes nothing, so it is not mentioned.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}b {6}\[2\] {9}2 of 2 wrong {6}normalized error \S+ \(bug\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}input {2}\[12\] {8}ok {16}normalized error \S+ \(correct\)$/));
    const undeclared = formatReport(check());
    expect(undeclared).not.toContain('gradientFactor)');
    expect(undeclared).toContain('declare it once: { gradientFactor: 1 / 4 }');
  });

  it('a factor like 1/3 is printed to 4 significant digits, and the failing entries show backward ÷ factor', () => {
    const report = check({}, { gradientFactor: 1 / 3 });
    const text = formatReport(report);
    expect(text).toMatch(/^ {2}W .*6 of 6 wrong .*, analytic = backward ÷ 0\.3333 \(declared gradientFactor\)$/m);
    expect(text).toMatch(/^ {2}b .*2 of 2 wrong .*, analytic = backward ÷ 0\.3333 \(declared gradientFactor\)$/m);
    // b[0] is -4.449 numerically; backward gives a quarter of it, divided by 1/3 that is 0.75 × -4.449.
    expect(text).toMatch(/^ {2}b\[0\] +analytic +-3\.337 +numeric +-4\.449 /m);
  });

  it('reportToJSON carries each tensor\'s factor, and the failures carry the divided values', () => {
    const report = check({ averaging: 'mean-all' }, { gradientFactor: { W: 0.25, input: 0.5 } });
    const json = JSON.parse(JSON.stringify(reportToJSON(report))) as {
      tensors: { name: string; gradientFactor: number; failures: { analytic: number; numeric: number }[] }[];
    };
    expect(json.tensors.map((t) => [t.name, t.gradientFactor])).toEqual([
      ['W', 0.25],
      ['b', 1],
      ['input', 0.5],
    ]);
    expect(json.tensors.map((t) => t.failures.length)).toEqual([0, 2, 12]);
    // input: backward gives ¼ of the gradient, declared ½, so the compared analytic is half the numeric.
    for (const failure of json.tensors[2].failures) expect(failure.analytic / failure.numeric).toBeCloseTo(0.5, 8);
    expect(json.tensors[2].failures).toEqual(
      tensorOf(report, 'input').failures.map((f) => expect.objectContaining({ analytic: f.analytic, numeric: f.numeric })),
    );
  });
});

describe('gradientFactor option errors', () => {
  const general = (shown: string): string =>
    `gradientFactor must be a finite number other than 0 (every parameter), or a record of them by tensor name ({ W: 0.25 }), but got ${shown}. ` +
    'It states that backward produces that multiple of the true gradient, e.g. 1 / batchSize for a library that averages over the batch.';

  /** The OptionsError a check with this factor throws. */
  function errorFor(gradientFactor: unknown, layerOptions: BatchAveragedOptions = {}): OptionsError {
    try {
      check(layerOptions, { gradientFactor: gradientFactor as never });
    } catch (error) {
      expect(error).toBeInstanceOf(OptionsError);
      expect(error).toBeInstanceOf(TypeError);
      return error as OptionsError;
    }
    throw new Error(`gradientFactor ${String(gradientFactor)} was accepted`);
  }

  it.each<[string, unknown]>([
    ['0', 0],
    ['0', -0],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['"0.25"', '0.25'],
    ['null', null],
    ['true', true],
    ['an array of length 1', [0.25]],
    ['an object with keys []', {}],
  ])('refuses a whole value shown as %s', (shown, value) => {
    expect(errorFor(value).message).toBe(general(shown));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['W: 0', { W: 0 }, 'gradientFactor.W must be a finite number other than 0, but got 0.'],
    ['W: NaN', { W: Number.NaN }, 'gradientFactor.W must be a finite number other than 0, but got NaN.'],
    ["W: '0.25'", { W: '0.25' }, 'gradientFactor.W must be a finite number other than 0, but got "0.25".'],
    ['b: Infinity', { W: 0.25, b: Infinity }, 'gradientFactor.b must be a finite number other than 0, but got Infinity.'],
    ['b: null', { W: 0.25, b: null }, 'gradientFactor.b must be a finite number other than 0, but got null.'],
  ])('refuses a record entry %s', (_label, value, message) => {
    expect(errorFor(value).message).toBe(message);
  });

  it('refuses a name the layer does not have, listing its tensor names (parameters and input)', () => {
    expect(errorFor({ w: 0.25 }).message).toBe("gradientFactor names 'w', which is not a tensor of this layer. Its tensors: W, b, input.");
    expect(errorFor({ W: 0.25, inputs: 0.25 }).message).toBe("gradientFactor names 'inputs', which is not a tensor of this layer. Its tensors: W, b, input.");
    expect(errorFor({ W: 0.25 }, { namePrefix: 'dense1.' }).message).toBe(
      "gradientFactor names 'W', which is not a tensor of this layer. Its tensors: dense1.W, dense1.b, input.",
    );
  });

  it('leaves the layer as it was when it refuses a name', () => {
    const layer = new BatchAveragedDense();
    const before = Array.from(layer.W);
    expect(() => checkGradients(layer, { gradientFactor: { V: 0.25 } })).toThrow(OptionsError);
    expect(Array.from(layer.W)).toEqual(before);
  });

  it('accepts any finite nonzero number, negative or tiny, and a factor of 1', () => {
    expect(check({}, { gradientFactor: -0.25 }).verdict).toBe('fail');
    expect(check({}, { gradientFactor: 1e-300 }).verdict).toBe('fail');
    const one = check({}, { gradientFactor: 1 });
    expect(factors(one)).toEqual({ W: 1, b: 1, input: 1 });
    expect(one.diagnoses.map((d) => d.message.endsWith(sharedHint(4)))).toEqual([true, true]);
  });
});

describe('gradientFactor on a float32 layer', () => {
  it('passes with the factor, fails without it with the 1/4 hint, and fails under a wrong factor', () => {
    const declared = check({ float32: true }, { gradientFactor: 0.25 });
    expect(declared.settings.dtype).toBe('float32');
    expect(declared.tensors.map((t) => t.dtype)).toEqual(['float32', 'float32', 'float32']);
    expect(declared.verdict).toBe('pass');
    expect(factors(declared)).toEqual({ W: 0.25, b: 0.25, input: 1 });

    const undeclared = check({ float32: true });
    expect(undeclared.verdict).toBe('fail');
    expect(failureCounts(undeclared)).toEqual({ W: 6, b: 2, input: 0 });
    expect(suggestedDeclaration(undeclared.diagnoses)).toBe(0.25);

    const wrong = check({ float32: true }, { gradientFactor: 1 / 3 });
    expect(wrong.verdict).toBe('fail');
    expect(failureCounts(wrong)).toEqual({ W: 6, b: 2, input: 0 });
  });

  it('a planted bug still fails at its entry in float32', () => {
    const report = check({ float32: true, wrongEntry: [0, 1] }, { gradientFactor: 0.25 });
    expect(report.verdict).toBe('fail');
    expect(failureCounts(report)).toEqual({ W: 1, b: 0, input: 0 });
    expect(tensorOf(report, 'W').failures[0].position).toEqual([0, 1]);
  });
});

describe('gradientFactor through the matcher', () => {
  /** Runs an assertion that must fail and returns the thrown error. */
  function failureOf(assertion: () => void): Error {
    try {
      assertion();
    } catch (error) {
      return error as Error;
    }
    throw new Error('the assertion passed');
  }
  // Vitest colours the hint line; compare text without escape codes.
  const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

  it('passes with the declared factor, as a number or a record, and .not then fails', () => {
    expect(new BatchAveragedDense()).toHaveCorrectGradients({ gradientFactor: 1 / 4 });
    expect(new BatchAveragedDense({ averaging: 'mean-W-only' })).toHaveCorrectGradients({ gradientFactor: { W: 1 / 4 } });
    expect(new BatchAveragedDense({ averaging: 'mean-all' })).toHaveCorrectGradients({ gradientFactor: { W: 1 / 4, b: 1 / 4, input: 1 / 4 } });
    const message = plain(failureOf(() => expect(new BatchAveragedDense()).not.toHaveCorrectGradients({ gradientFactor: 1 / 4 })).message);
    expect(message).toContain("Expected the layer's gradients to disagree with finite differences, but they agree.");
    expect(message).toContain('analytic = backward ÷ 0.25 (declared gradientFactor)');
  });

  it('without the option the failure message suggests gradientFactor for each averaged tensor, and .not passes', () => {
    const message = plain(failureOf(() => expect(new BatchAveragedDense()).toHaveCorrectGradients()).message);
    const lines = message.split('\n');
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(message).toContain('8 of 20 gradient entries disagree');
    expect(lines).toContain(
      '  W: analytic ≈ numeric / 4: a factor 4 too small (an extra division by 4, the batch size or a count?). ' + sharedHint(4),
    );
    expect(lines).toContain(
      '  b: analytic ≈ numeric / 4: a factor 4 too small (an extra division by 4, the batch size or a count?). ' + sharedHint(4),
    );
    expect(new BatchAveragedDense()).not.toHaveCorrectGradients();
  });

  it('a planted bug fails through the matcher despite the declared factor, naming its entry', () => {
    const message = plain(failureOf(() => expect(new BatchAveragedDense({ wrongEntry: [1, 2] })).toHaveCorrectGradients({ gradientFactor: 1 / 4 })).message);
    expect(message).toContain('1 of 20 gradient entries disagree');
    expect(message).toContain('only W[1,2] is wrong: an index or a single-term mistake?');
    expect(message).toMatch(/^ {2}W\[1,2\] +analytic /m);
  });

  it('a bad gradientFactor is a matcher error, with and without .not', () => {
    for (const run of [
      () => expect(new BatchAveragedDense()).toHaveCorrectGradients({ gradientFactor: 0 }),
      () => expect(new BatchAveragedDense()).not.toHaveCorrectGradients({ gradientFactor: 0 }),
    ]) {
      const message = plain(failureOf(run).message);
      expect(message).toContain('Matcher error: gradientFactor must be a finite number other than 0');
      expect(message).toMatch(/Options has type: +Object/);
    }
    const unknown = plain(failureOf(() => expect(new BatchAveragedDense()).not.toHaveCorrectGradients({ gradientFactor: { w: 0.25 } })).message);
    expect(unknown).toContain("Matcher error: gradientFactor names 'w', which is not a tensor of this layer. Its tensors: W, b, input.");
  });
});
