/**
 * Every diagnosis kind, from a layer with that mistake: the report names it on the right tensor and
 * on no other, the text report prints it, and reportToJSON carries it. Correct layers get none (the
 * corpus test asserts that over every zoo layer in both dtypes).
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/check/check-gradients.js';
import type { Diagnosis, GradientReport } from '../../../src/check/report-types.js';
import type { Layer } from '../../../src/layer/protocol.js';
import { formatReport } from '../../../src/report/format-report.js';
import { reportToJSON } from '../../../src/report/to-json.js';
import { zooEntry } from '../../zoo/index.js';
import { GuardedAcos, HiddenRunningSum, PolynomialErfGelu } from '../../zoo/protocol/diagnosable.js';
import { InfiniteGradient } from '../../zoo/protocol/misbehaving.js';
import { ScaleLayer } from '../../zoo/protocol/scale.js';

const bugOf = (layer: string, bug: string): Layer => {
  const variant = zooEntry(layer).bugs.find((b) => b.name === bug);
  if (variant === undefined) throw new Error(`no bug ${bug} in ${layer}`);
  return variant.make('float64');
};

const named = (report: GradientReport): string[] => report.diagnoses.map((d) => `${d.tensor}:${d.kind}`);

/** The report's diagnoses, after checking that the text and the JSON carry the same ones. */
function diagnosesOf(layer: Layer): Diagnosis[] {
  const report = checkGradients(layer);
  expect(report.pass).toBe(false);
  const text = formatReport(report);
  expect(text).toContain('Likely cause:');
  for (const diagnosis of report.diagnoses) expect(text).toContain(`  ${diagnosis.tensor}: ${diagnosis.message}`);
  expect((reportToJSON(report) as { diagnoses: Diagnosis[] }).diagnoses).toEqual(report.diagnoses);
  return report.diagnoses;
}

describe('diagnoses as data', () => {
  it.each<[string, string, string[], number | undefined]>([
    ['dense', 'weight-grad-divided-by-batch', ['W:scale'], 1 / 3],
    ['avg-pool-2x2', 'grad-not-divided-by-window-size', ['input:scale'], 4],
    ['mse', 'missing-factor-2', ['input:scale'], 0.5],
    ['dense', 'input-grad-sign-flipped', ['input:sign'], -1],
  ])('scale and sign: %s/%s', (layer, bug, expected, factor) => {
    const diagnoses = diagnosesOf(bugOf(layer, bug));
    expect(diagnoses.map((d) => `${d.tensor}:${d.kind}`)).toEqual(expected);
    expect(diagnoses[0].factor).toBeCloseTo(factor!, 12);
  });

  it('transpose: a weight gradient written transposed', () => {
    expect(diagnosesOf(bugOf('scaled-dot-product-attention', 'Wv-grad-transposed')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['Wv:transpose']);
    expect(diagnosesOf(bugOf('residual-block', 'W1-grad-transposed')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['W1:transpose']);
  });

  it('zero: an analytic gradient never written, whole or in part', () => {
    const partial = diagnosesOf(bugOf('avg-pool-2x2', 'grad-only-to-top-left'));
    expect(partial.map((d) => `${d.tensor}:${d.kind}`)).toEqual(['input:zero']);
    expect(partial[0].message).toMatch(/no gradient on \d+ entries the loss depends on/);
    const never = new ScaleLayer({ dwFactor: 0 });
    const whole = diagnosesOf(never as unknown as Layer);
    expect(whole.map((d) => `${d.tensor}:${d.kind}`)).toEqual(['w:zero']);
    expect(whole[0].message).toMatch(/is all zeros/);
  });

  it('batch-row: a bias gradient taken from the first sample only', () => {
    for (const [layer, bug, tensor] of [
      ['dense', 'bias-grad-first-sample-only', 'b'],
      ['conv2d-stride2-pad1', 'bias-grad-first-sample-only', 'bias'],
      ['lstm-cell', 'bias-grad-first-sample-only', 'b'],
    ]) {
      expect(diagnosesOf(bugOf(layer, bug)).map((d) => `${d.tensor}:${d.kind}`)).toEqual([`${tensor}:batch-row`]);
    }
  });

  it('batch-row is not claimed for entries that are zero whatever the upstream gradient', () => {
    // The last row's input gradient is never written: unchanged by cutting rows, but because it is zero.
    expect(named(checkGradients(bugOf('bias-only', 'input-grad-last-row-zeroed')))).toEqual(['input:zero']);
  });

  it('batch-row is not claimed for an input: its entries never depend on the other samples', () => {
    // One wrong entry of an elementwise layer's second input, in the first row.
    const report = checkGradients(bugOf('multi-input-product', 'db-entry-wrong'));
    expect(named(report)).toEqual(['input[1]:single-entry']);
  });

  it('chain-rule: backward ignores or misapplies the upstream gradient', () => {
    expect(diagnosesOf(bugOf('relu', 'missing-upstream')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['input:chain-rule']);
    // Ignoring it also leaves the gradient unchanged when rows are cut; the chain rule is the finding, not the batch.
    expect(diagnosesOf(bugOf('bias-only', 'bias-grad-ignores-upstream')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['b:chain-rule']);
  });

  it('accumulation: a hidden running sum never reset between backward calls', () => {
    const report = checkGradients(new HiddenRunningSum() as unknown as Layer);
    expect(report.pass).toBe(false);
    expect(named(report)).toEqual(['w:accumulation']);
    expect(formatReport(report)).toMatch(/w: backward\(\) adds to the previous gradient of 'w' without a reset/);
  });

  it('kink-side: a mask on the wrong side, and a value outside the one-sided slopes at a kink', () => {
    expect(diagnosesOf(bugOf('relu', 'mask-off-by-one')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['input:kink-side']);
    expect(diagnosesOf(bugOf('residual-block', 'relu-mask-ignored')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['W1:kink-side', 'b1:kink-side']);
    const atKink = diagnosesOf(bugOf('relu-at-kinks', 'kink-subgradient-2'));
    expect(atKink.map((d) => `${d.tensor}:${d.kind}`)).toEqual(['input:kink-side']);
    expect(atKink[0].message).toMatch(/outside the one-sided slopes/);
  });

  it('single-entry: one wrong entry, with its position', () => {
    const diagnoses = diagnosesOf(bugOf('batch-norm-training', 'one-gamma-grad-entry-off-by-1e-4'));
    expect(diagnoses.map((d) => `${d.tensor}:${d.kind}`)).toEqual(['gamma:single-entry']);
    const report = checkGradients(bugOf('batch-norm-training', 'one-gamma-grad-entry-off-by-1e-4'));
    expect(diagnoses[0].position).toEqual(report.tensors.find((t) => t.name === 'gamma')!.failures[0].position);
  });

  it('tied-routing: the gradient routed to every tied maximum', () => {
    expect(diagnosesOf(bugOf('max-pool-ties', 'grad-to-every-tied-maximum')).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['input:tied-routing']);
  });

  it('non-finite: an infinite gradient entry', () => {
    expect(diagnosesOf(new InfiniteGradient() as unknown as Layer).map((d) => `${d.tensor}:${d.kind}`)).toEqual(['w:non-finite']);
  });

  it('deliberate approximations fail without a made-up factor (the ratio varies with the input)', () => {
    for (const layer of [new GuardedAcos(), new PolynomialErfGelu()]) {
      const report = checkGradients(layer as unknown as Layer);
      expect(report.verdict).toBe('fail');
      expect(report.diagnoses).toEqual([]);
      expect(formatReport(report)).not.toContain('Likely cause');
    }
  });

  it('bugs with no simple pattern get no diagnosis rather than a wrong one', () => {
    // A softmax backward keeping only the Jacobian's diagonal: wrong everywhere, by no common rule.
    expect(named(checkGradients(bugOf('softmax', 'jacobian-diagonal-only')))).toEqual([]);
  });
});
