/**
 * `sequence(...layers)` as a layer: forward chains, backward runs in reverse, parameters are named
 * by position and name and reach the layers' own storage in every parameter form, async layers
 * chain, and the checker leaves every layer exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { sequence } from '../../src/adapters/sequence.js';
import { checkGradients, checkGradientsAsync } from '../../src/check/check-gradients.js';
import { LayerProtocolError } from '../../src/layer/params.js';
import type { Layer } from '../../src/layer/protocol.js';
import { checkKeepingState } from '../helpers/check-keeping-state.js';
import { LazyGradLayer } from '../zoo/protocol/computed-grads.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';
import { DenseStage, MseStage, RunningBatchNormStage, TanhStage } from '../zoo/sequences.js';

const input = [
  [0.5, -1, 0.25],
  [1.5, 0.75, -0.5],
];

/** The same layer answering through Promises. */
function asyncOf(layer: Layer): Layer {
  const source = layer as unknown as Record<string, unknown> & { forward(x: unknown): unknown; backward(g: unknown): unknown };
  const wrapped = Object.create(source) as Record<string, unknown>;
  wrapped.forward = async (x: unknown) => source.forward(x);
  wrapped.backward = async (g: unknown) => source.backward(g);
  return wrapped as unknown as Layer;
}

describe('sequence()', () => {
  it('names parameters by position and name, and passes a correct network in one check', () => {
    const net = sequence(['hidden', new DenseStage(3, 4, 1) as unknown as Layer], new TanhStage() as unknown as Layer, { name: 'out', layer: new DenseStage(4, 2, 2) as unknown as Layer }, new MseStage(2, 3) as unknown as Layer);
    const report = checkKeepingState(net, { input });
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['0.hidden.W', '0.hidden.b', '2.out.W', '2.out.b', 'input']);
    expect(report.layers).toBeNull();
  });

  it("uses a layer's own string name, and reaches every parameter form", () => {
    const named = Object.assign(new ScaleLayer({ form: 'list' }), { name: 'scale' });
    const forms = (['records', 'methods', 'tensor-like', 'nested'] as const).map((form) => new ScaleLayer({ form }) as unknown as Layer);
    const net = sequence(named as unknown as Layer, ...forms);
    const report = checkKeepingState(net, { input: [1, 2, -3, 0.5, -1.25, 2.5] });
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['0.scale.w', '0.scale.c', '1.w', '1.c', '2.w', '2.c', '3.w', '3.c', '4.w', '4.c', 'input']);
    // A doubled gradient in the third layer fails there alone.
    const buggy = sequence(new ScaleLayer() as unknown as Layer, new ScaleLayer() as unknown as Layer, new ScaleLayer({ dwFactor: 2 }) as unknown as Layer);
    const failing = checkKeepingState(buggy, { input: [1, 2, -3, 0.5, -1.25, 2.5] });
    expect(failing.tensors.filter((t) => !t.pass).map((t) => t.name)).toEqual(['2.w']);
  });

  it('reads a stage\'s computed gradients once per backward, never before the first', () => {
    const lazy = new LazyGradLayer();
    const net = sequence(lazy as unknown as Layer);
    expect(checkKeepingState(net).verdict).toBe('pass');
    expect(lazy.readsBeforeBackward).toBe(0);
  });

  it('chains async layers, with the same verdict and names as the sync ones', async () => {
    const build = (wrap: (layer: Layer) => Layer): Layer =>
      sequence(wrap(new DenseStage(3, 4, 1) as unknown as Layer), wrap(new TanhStage() as unknown as Layer), wrap(new MseStage(4, 3) as unknown as Layer));
    const sync = checkGradients(build((l) => l), { input });
    const async = await checkGradientsAsync(build(asyncOf), { input });
    expect(async.verdict).toBe(sync.verdict);
    expect(async.tensors.map((t) => [t.name, t.pass])).toEqual(sync.tensors.map((t) => [t.name, t.pass]));
  });

  it('refuses what is not a layer, and a middle layer that returns no input gradient, by position', () => {
    expect(() => sequence()).toThrow(LayerProtocolError);
    expect(() => sequence(new TanhStage() as unknown as Layer, { forward: 1 } as never)).toThrow('sequence(): layer 1 is an object with keys [forward], not a layer with forward() and backward().');
    const silent = { forward: (x: number[][]) => x, backward: () => undefined };
    const net = sequence(new DenseStage(3, 3, 1) as unknown as Layer, silent as unknown as Layer, new MseStage(3, 2) as unknown as Layer);
    expect(() => checkGradients(net, { input })).toThrow('sequence(): layer 1 returned no input gradient from backward(), so layer 0 gets none. Return the gradient of its input.');
  });

  it('takes sampleInput and inputShape from its first layer only', () => {
    const first = Object.assign(new TanhStage() as unknown as Layer, { sampleInput: () => input });
    expect(checkGradients(sequence(first, new MseStage(3, 4) as unknown as Layer)).verdict).toBe('pass');
    const shaped = Object.assign(new TanhStage() as unknown as Layer, { inputShape: [2, 3] });
    expect(checkGradients(sequence(shaped, new MseStage(3, 4) as unknown as Layer)).tensors.map((t) => t.shape)).toEqual([[2, 3]]);
  });

  it('a layer with running statistics updated in forward is put back bit for bit, and its wrong input gradient attributed', () => {
    const make = (bug: 'input' | null): Layer => sequence(new DenseStage(3, 4, 1) as unknown as Layer, ['norm', new RunningBatchNormStage(4, bug) as unknown as Layer], new MseStage(4, 3) as unknown as Layer);
    const correct = checkKeepingState(make(null), { input });
    expect(correct.verdict).toBe('pass');
    const wrong = checkKeepingState(make('input'), { input });
    expect(wrong.layers?.map((layer) => layer.verdict)).toEqual(['pass', 'fail', 'pass']);
    expect(wrong.layers?.[1].inputGradient).toBe('wrong');
  });
});
