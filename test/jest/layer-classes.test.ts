/// <reference types="jest" />
/**
 * The classes of layers that gave false alarms or slipped through, under Jest through the global
 * `expect` as users write it: ties, saturation, shared rows, storage that does not keep what is
 * written, gradients that exist only after a backward. Each leaves the layer exactly as it was.
 * The Vitest tests beside the code (test/check/joint, test/check/plan, test/layer) go deeper.
 */
import { captureDeepState, expectSameDeepState } from '../helpers/deep-state';
import { thrownMessage } from '../helpers/assertion-messages';
import { CONSTANT_IMAGE, OverlappingMaxPool, RowSelect, TIED_ROWS } from '../zoo/nasty/ties';
import { SaturatedActivation } from '../zoo/nasty/saturated-everywhere';
import { GatherRows, RowwiseDense, sharedBatch } from '../zoo/protocol/shared-rows';
import { AccessorLayer } from '../zoo/protocol/bad-accessors';
import { CapturedUpdateLayer, LazyGradLayer, withCapturedGrads } from '../zoo/protocol/computed-grads';

/** Runs `assertion` on `layer` and then checks every value reachable from it is as it was, bit for bit. */
function leavesLayerAsItWas(layer: object, assertion: () => void): void {
  const before = captureDeepState(layer);
  assertion();
  expectSameDeepState(before, captureDeepState(layer));
}

describe('ties', () => {
  test.each(['float64', 'float32'] as const)('overlapping max pooling on a constant input passes, first and split routing (%s)', (dtype) => {
    for (const routing of ['first', 'split'] as const) {
      const layer = new OverlappingMaxPool(dtype, CONSTANT_IMAGE, { routing });
      leavesLayerAsItWas(layer, () => expect(layer).toHaveCorrectGradients());
    }
  });

  test('a gradient routed to every tied maximum fails in each of the nine windows, named as tied entries wrong together', () => {
    for (let window = 0; window < 9; window++) {
      const layer = new OverlappingMaxPool('float64', CONSTANT_IMAGE, { everyTieAt: window });
      leavesLayerAsItWas(layer, () => {
        const message = thrownMessage(() => expect(layer).toHaveCorrectGradients());
        expect(message).toContain('Tied entries wrong together');
        expect(message).toContain('tied entries of \'input\' each receive the whole gradient');
      });
    }
  });

  test.each(['sort', 'median', 'top-k'] as const)('row-wise %s with 3-way ties passes; the every-tie scatter fails in the first and the last row whose picks tie', (selection) => {
    expect(new RowSelect('float64', selection, TIED_ROWS)).toHaveCorrectGradients();
    // The last row's median (0.125) is untied: there the scatter routes like the correct layer.
    const lastTiedRow = selection === 'median' ? 1 : TIED_ROWS.length - 1;
    for (const row of [0, lastTiedRow]) expect(new RowSelect('float64', selection, TIED_ROWS, { everyTieAt: row })).not.toHaveCorrectGradients();
    expect(new RowSelect('float64', 'median', TIED_ROWS, { everyTieAt: 2 })).toHaveCorrectGradients();
  });
});

describe('saturation everywhere', () => {
  test.each([
    ['float64', 'tanh'],
    ['float32', 'sigmoid'],
  ] as const)('%s %s passes', (dtype, activation) => {
    const layer = new SaturatedActivation(dtype, activation);
    leavesLayerAsItWas(layer, () => expect(layer).toHaveCorrectGradients());
  });

  test('float32 with epsilon 1e-6 is inconclusive, saying no gradient was resolved, so the test fails', () => {
    const message = thrownMessage(() => expect(new SaturatedActivation('float32', 'sigmoid')).toHaveCorrectGradients({ epsilon: 1e-6 }));
    expect(message).toContain('Inconclusive');
    expect(message).toContain('no gradient of the layer was resolved at all');
  });
});

describe('shared rows', () => {
  test('an input whose batch rows are one array gives no false alarm, and the array is left as it was', () => {
    const input = sharedBatch();
    const layer = new RowwiseDense();
    leavesLayerAsItWas({ layer, input }, () => expect(layer).toHaveCorrectGradients({ input }));
    expect(input[0]).toBe(input[1]);
  });

  test('an output whose rows are the input\'s own rows, one of them twice, passes', () => {
    const layer = new GatherRows();
    leavesLayerAsItWas(layer, () => expect(layer).toHaveCorrectGradients());
  });
});

describe('storage that does not keep what is written', () => {
  test.each(['clamping', 'transposed'] as const)('%s accessors are refused by name, the weights restored bit for bit', (accessor) => {
    const layer = new AccessorLayer(accessor);
    const weights = layer.weights();
    leavesLayerAsItWas(layer, () => {
      expect(() => expect(layer).toHaveCorrectGradients()).toThrow(/parameter 'W' did not keep what was written to entry \d/);
    });
    expect(layer.weights()).toEqual(weights);
    expect(layer.weights().map((w) => Object.is(w, -0))).toEqual(weights.map((w) => Object.is(w, -0)));
  });
});

describe('gradients that exist only after a backward', () => {
  test('gradient functions and grads() are first read after a backward; a halved gradient still fails', () => {
    const layer = new LazyGradLayer();
    expect(layer).toHaveCorrectGradients();
    expect(layer.readsBeforeBackward).toBe(0);
    const buggy = new LazyGradLayer({ bug: 'dw-halved' });
    expect(thrownMessage(() => expect(buggy).toHaveCorrectGradients())).toMatch(/^\s+w: analytic ≈ numeric \/ 2/m);
    expect(buggy.readsBeforeBackward).toBe(0);
  });

  test('the update-capture glue runs its update step only after a backward', () => {
    const layer = withCapturedGrads(new CapturedUpdateLayer());
    expect(layer).toHaveCorrectGradients();
    expect(layer.updatesBeforeBackward).toBe(0);
  });
});
