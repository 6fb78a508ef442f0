/**
 * The README's sections on checks across shapes (the `across` region) and on sequences (the
 * `sequence` region), run as written; beside them the failures the README quotes, asserted here so
 * that a change in what the matchers say fails this file as well as the quote.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequence } from '../../../src/index.js';
import { batch, Dense, LayerNorm, Mse, ROW_SUM_SPACE, rowSum, Tanh } from './models.js';
import { thrownMessage } from '../../helpers/assertion-messages.js';

describe('the README, across shapes', () => {
  // #region across
  it('RowSum has correct gradients at every shape', () => {
    expect(rowSum).toHaveCorrectGradientsAcross({ rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] });
  });
  // #endregion

  // #region arbitrary
  it('RowSum has correct gradients at the shapes fast-check draws', () => {
    const space = fc.record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 6 }) });
    expect(rowSum).toHaveCorrectGradientsAcross(space, { runs: 30, seed: 7 });
  });
  // #endregion

  it('its bug (the axis picked by matching sizes) shrinks to 2 × 2', () => {
    expect(ROW_SUM_SPACE).toEqual({ rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] });
    const message = thrownMessage(() => expect((config: Record<string, unknown>) => rowSum(config, true)).toHaveCorrectGradientsAcross(ROW_SUM_SPACE));
    expect(message).toMatch(/^Smallest failing configuration: \{ rows: 2, cols: 2 \}/m);
    const drawn = fc.record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 6 }) });
    const shrunk = thrownMessage(() => expect((config: Record<string, unknown>) => rowSum(config, true)).toHaveCorrectGradientsAcross(drawn, { runs: 30, seed: 7 }));
    expect(shrunk).toMatch(/^Smallest failing configuration: \{ rows: 2, cols: 2 \}/m);
  });
});

describe('the README, which layer is wrong', () => {
  // #region sequence
  it('the model has correct gradients', () => {
    const model = sequence(['dense', new Dense(4, 5)], ['tanh', new Tanh()], ['norm', new LayerNorm(5)], ['mse', new Mse(5)]);
    expect(model).toHaveCorrectGradients({ input: batch });
  });
  // #endregion

  it('a wrong input gradient in the layer norm is named, and the dense layer before it cleared', () => {
    const model = sequence(['dense', new Dense(4, 5)], ['tanh', new Tanh()], ['norm', new LayerNorm(5, 'input')], ['mse', new Mse(5)]);
    const message = thrownMessage(() => expect(model).toHaveCorrectGradients({ input: batch }));
    expect(message).toContain('Layer 2 (norm) is wrong: its input gradient disagrees; layers 0, 1 and 3 agree.');
  });
});
