/**
 * The shard pattern docs/large-layers.md shows (the `shards` region), run as written through the
 * matcher: four tests, each a quarter of the entries of one layer.
 */
import { expect, it } from 'vitest';
import { zooEntry } from '../../zoo/index.js';

/** Stands in for a layer too large for one worker: the zoo's residual block. */
const buildBlock = () => zooEntry('residual-block').make('float64');

// #region shards
// Vitest or Jest: four workers share one huge layer; `--shard=1/2` spreads the file over CI machines.
it.each([1, 2, 3, 4])('Transformer block gradients, part %i of 4', (k) => {
  expect(buildBlock()).toHaveCorrectGradients({ mode: 'exhaustive', shard: [k, 4] });
});
// #endregion
