/**
 * Which layer of a sequence is wrong: one planted bug at each position of a 6-layer and a 3-layer
 * network (dense, tanh, conv, layer norm, dense, MSE), in a parameter gradient or in an input
 * gradient, is attributed to its layer alone; the layers before a wrong input gradient, whose
 * composed gradients it corrupts, are cleared; two bugs are both named. A correct sequence pays
 * for one check only. The layers are left exactly as they were.
 */
import { describe, expect, it } from 'vitest';
import type { Sequence } from '../../../src/adapters/sequence.js';
import { checkGradients, checkGradientsAsync } from '../../../src/check/check-gradients.js';
import type { GradientReport } from '../../../src/check/report-types.js';
import type { Layer } from '../../../src/layer/protocol.js';
import { failureDiff, formatReport } from '../../../src/report/format-report.js';
import { reportToJSON } from '../../../src/report/to-json.js';
import { checkKeepingState } from '../../helpers/check-keeping-state.js';
import { buildSequence, composedWrongTensors, plantedBugs, sequencePlans } from '../../zoo/sequences.js';

const wrongLayers = (report: GradientReport): number[] => (report.layers ?? []).filter((layer) => layer.verdict === 'fail').map((layer) => layer.index);
const [six, three] = sequencePlans;

describe('attribution of a failing sequence', () => {
  it.each(sequencePlans.map((plan) => [plan.name, plan] as const))('%s: the correct sequence passes with one check and no per-layer checks', (_name, plan) => {
    const report = checkKeepingState(buildSequence(plan));
    expect(report.verdict).toBe('pass');
    expect(report.layers).toBeNull();
    const calls = report.forwardCalls;
    // A failing one costs the per-layer checks on top: many more calls.
    const failing = checkGradients(buildSequence(plan, 0, 'input'));
    expect(failing.forwardCalls).toBeGreaterThan(calls);
  });

  const cases = sequencePlans.flatMap((plan) => plantedBugs(plan).map(({ position, bug }) => [plan.name, position, bug, plan] as const));
  it.each(cases)('%s, layer %i, wrong %s gradient: attributed to that layer alone', (_name, position, bug, plan) => {
    const report = checkKeepingState(buildSequence(plan, position, bug));
    expect(report.verdict).toBe('fail');
    expect(report.tensors.filter((t) => !t.pass).map((t) => t.name).sort()).toEqual(composedWrongTensors(plan, position, bug).sort());
    expect(wrongLayers(report)).toEqual([position]);
    const culprit = report.layers?.[position];
    expect(culprit?.inputGradient).toBe(bug === 'input' ? 'wrong' : 'ok');
    const prefix = `${position}.${plan.stages[position].kind}.`;
    expect(culprit?.tensors).toEqual(bug === 'input' ? [`${prefix}input`] : [`${prefix}${plan.stages[position].params[0]}`]);
    // The headline names the layer first; every other layer agrees.
    const text = formatReport(report);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^Layer ${position} \\(${plan.stages[position].kind}\\) is wrong: `));
    expect(report.layers?.filter((layer) => layer.index !== position).every((layer) => layer.verdict === 'pass')).toBe(true);
    // Where a wrong input gradient corrupted the layers before it, the diagnosis says so.
    const through = report.diagnoses.filter((d) => d.kind === 'through-layer');
    expect(through.length).toBe(bug === 'input' && position > 0 ? 1 : 0);
    if (through.length > 0) expect(through[0].message).toMatch(new RegExp(`only through layer ${position} \\(${plan.stages[position].kind}\\)'s input gradient`));
    // The diff starts with the wrong layer's own entries.
    expect([...failureDiff(report).actual.keys()][0].startsWith(prefix)).toBe(true);
  });

  it('two bugs in two layers are both named, and the diagnosis explains only what the later one corrupts', () => {
    const plan = six;
    const stages = plan.stages.map((stage, i) => [stage.kind, stage.make(i === 2 ? 'param' : i === 4 ? 'input' : null)] as const);
    const net = buildSequence(plan);
    (net as unknown as { stages: unknown }).stages = stages.map(([name, layer]) => ({ name, layer }));
    const report = checkGradients(net);
    expect(wrongLayers(report)).toEqual([2, 4]);
    expect(formatReport(report).split('\n')[0]).toBe(
      'Layer 2 (conv) is wrong: 2.conv.w disagrees. Layer 4 (dense) is wrong: its input gradient disagrees; layers 0, 1, 3 and 5 agree.',
    );
    const through = report.diagnoses.find((d) => d.kind === 'through-layer');
    expect(through?.message).toMatch(/^layers 0 and 3 \(and the sequence's input\) fail only through layer 4 \(dense\)'s input gradient/);
  });

  it('async layers inside a sequence are attributed the same way', async () => {
    const sync = checkGradients(buildSequence(three, 1, 'input'));
    const net = buildSequence(three, 1, 'input') as Sequence;
    for (const stage of net.stages as unknown as { layer: Layer }[]) {
      const source = stage.layer as unknown as { forward(x: unknown): unknown; backward(g: unknown): unknown };
      const wrapped = Object.create(source) as Record<string, unknown>;
      wrapped.forward = async (x: unknown) => source.forward(x);
      wrapped.backward = async (g: unknown) => source.backward(g);
      stage.layer = wrapped as unknown as Layer;
    }
    const async = await checkGradientsAsync(net);
    expect(wrongLayers(async)).toEqual(wrongLayers(sync));
    expect(async.layers?.map((layer) => layer.inputGradient)).toEqual(sync.layers?.map((layer) => layer.inputGradient));
  });

  it('reportToJSON carries the layers with their own reports, and the text lists every layer', () => {
    const report = checkGradients(buildSequence(three, 0, 'param'));
    const json = JSON.parse(JSON.stringify(reportToJSON(report))) as { layers: { index: number; verdict: string; tensors: string[]; report: { verdict: string } }[] };
    expect(json.layers.map((layer) => [layer.index, layer.verdict, layer.report.verdict])).toEqual([
      [0, 'fail', 'fail'],
      [1, 'pass', 'pass'],
      [2, 'pass', 'pass'],
    ]);
    const text = formatReport(report);
    expect(text).toContain('Each layer checked on its own, at the input it received in the sequence:');
    expect(text).toMatch(/^ {2}0 dense {2}WRONG: 0\.dense\.W disagrees$/m);
    expect(text).toMatch(/^ {2}1 tanh {3}agrees$/m);
    expect(text).toContain('Worst entries of layer 0 (dense), checked on its own:');
  });

  it('the matcher fails a wrong sequence naming the layer, with its entries first in the diff', () => {
    let thrown: (Error & { actual?: unknown }) | null = null;
    try {
      expect(buildSequence(six, 3, 'input')).toHaveCorrectGradients();
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toContain('Layer 3 (norm) is wrong: its input gradient disagrees');
    expect(String(thrown?.actual).split('\n')[0]).toMatch(/^3\.norm\.input\[/);
  });
});
