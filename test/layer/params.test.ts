import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { normalizeParams } from '../../src/layer/params.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';

const layerWith = (extra: object): object => {
  const base = new ScaleLayer();
  return {
    forward: (x: Float64Array) => base.forward(x),
    backward: (g: Float64Array) => base.backward(g),
    sampleInput: () => base.sampleInput(),
    ...extra,
  };
};

describe('normalizeParams', () => {
  it('names records by name, record keys, or params[i]', () => {
    const w = (): number[] => [1, 2];
    expect(normalizeParams({ params: [{ name: 'W', value: w(), grad: [0, 0] }, { value: w(), grad: [0, 0] }] } as never).map((s) => s.name)).toEqual(['W', 'params[1]']);
    expect(normalizeParams({ params: { W: w(), b: w() }, grads: { W: w(), b: w() } } as never).map((s) => s.name)).toEqual(['W', 'b']);
    expect(normalizeParams({ params: [w(), w()], grads: [w(), w()] } as never).map((s) => s.name)).toEqual(['params[0]', 'params[1]']);
    expect(normalizeParams({} as never)).toEqual([]);
  });

  it('rejects a single tensor passed as params', () => {
    expect(() => normalizeParams({ params: { data: [1], shape: [1] } } as never)).toThrow(/name it instead/);
  });
});

describe('protocol errors reach the user with the fix', () => {
  it('no forward or no backward', () => {
    expect(() => checkGradients({ backward() {} } as never)).toThrow('The layer has no forward() method.');
    expect(() => checkGradients({ forward() {} } as never)).toThrow('The layer has no backward() method.');
    expect(() => checkGradients(42 as never)).toThrow('Expected a layer object with forward(), backward() and params, but got number.');
  });

  it('no params and no input gradient', () => {
    const layer = { forward: (x: number[]) => x.map((v) => 2 * v), backward: () => undefined, sampleInput: () => [1, 2] };
    expect(() => checkGradients(layer)).toThrow(/nothing to check/);
  });

  it('no input at all', () => {
    const layer = { forward: (x: number[]) => x, backward: (g: number[]) => g };
    expect(() => checkGradients(layer)).toThrow(/Pass one with toHaveCorrectGradients\(\{ input \}\)/);
  });

  it('grads missing, misaligned or of the wrong size', () => {
    const s = new ScaleLayer();
    expect(() => checkGradients(layerWith({ params: { w: s.w } }) as never)).toThrow("declares parameter 'w' but has no grads");
    expect(() => checkGradients(layerWith({ params: [s.w, s.c], grads: [s.dw] }) as never)).toThrow('params lists 2 tensors but grads lists 1');
    expect(() => checkGradients(layerWith({ params: { w: s.w }, grads: { w: new Float64Array(5) } }) as never)).toThrow(
      "The gradient of 'w' has 5 entries but the parameter has 6",
    );
    expect(() => checkGradients(layerWith({ params: { w: s.w }, grads: { v: s.dw } }) as never)).toThrow(
      "After backward() there is no gradient for parameter 'w'",
    );
  });

  it('params() or a params getter that returns copies', () => {
    const s = new ScaleLayer();
    expect(() => checkGradients(layerWith({ params: () => ({ w: s.w.slice() }), grads: () => ({ w: s.dw }) }) as never)).toThrow(
      "params returned a copy of 'w'",
    );
    const getter = layerWith({ grads: { w: s.dw } });
    Object.defineProperty(getter, 'params', { get: () => ({ w: s.w.slice() }) });
    expect(() => checkGradients(getter as never)).toThrow("params returned a copy of 'w'");
  });

  it('hints that forward does not read the params when every numeric gradient is zero', () => {
    const s = new ScaleLayer();
    const detached = {
      forward: (x: Float64Array) => s.forward(x),
      backward: (g: Float64Array) => s.backward(g),
      sampleInput: () => s.sampleInput(),
      params: { w: s.w.slice() },
      grads: { w: s.dw },
    };
    const report = checkGradients(detached as never);
    expect(report.tensors[0].failures).toHaveLength(6);
    expect(report.diagnoses.map((d) => [d.kind, d.tensor])).toEqual([['zero', 'w']]);
    expect(report.diagnoses[0].message).toBe(
      "every finite difference of 'w' is zero while backward gives nonzero values: does forward() read these arrays (or copies made earlier)?",
    );
  });

  it('an input gradient of the wrong size, and a forward that returns a string', () => {
    const s = new ScaleLayer();
    expect(() => checkGradients(layerWith({ params: s.params, grads: s.grads, backward: (g: Float64Array) => (s.backward(g), [1]) }) as never)).toThrow(
      'backward() returned an input gradient of 1 entries for an input of 6',
    );
    expect(() => checkGradients({ ...layerWith({}), forward: () => 'y' } as never)).toThrow('forward() returned string');
    expect(() => checkGradients({ ...layerWith({}), forward: async () => [1] } as never)).toThrow(
      'forward() returned a Promise. This entry point is synchronous: use checkGradientsAsync(layer)',
    );
  });
});
