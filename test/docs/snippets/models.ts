/**
 * The layers the README's "Across shapes" and "Which layer is wrong" sections use: the zoo's row sum
 * and sequence stages under the names a user would give them. Shared by the snippet test that runs
 * the README's code and by real-output.ts, which makes the failures the README quotes.
 */
import type { Config } from '../../../src/across/across-types.js';
import { DenseStage, LayerNormStage, MseStage, TanhStage, type StageBug } from '../../zoo/sequences.js';
import { shapeCase } from '../../zoo/shapes/index.js';

const rowSumCase = shapeCase('broadcast-sum');

/** The README's search space for the row sum. */
export const ROW_SUM_SPACE = { rows: [1, 2, 3, 4], cols: [1, 2, 3, 4] };

/** A row sum at a configuration (its input drawn from the seed); `buggy` picks the axis to expand by matching sizes. */
export const rowSum = (config: Config, buggy = false) => rowSumCase.build(config, buggy);

export class Dense extends DenseStage {
  constructor(inSize: number, outSize: number, bug: StageBug = null) {
    super(inSize, outSize, 700 + 10 * inSize + outSize, bug);
  }
}

export class Tanh extends TanhStage {}

export class LayerNorm extends LayerNormStage {
  constructor(width: number, bug: StageBug = null) {
    super(width, 720, bug);
  }
}

/** Mean squared error against a fixed target of batch 2. */
export class Mse extends MseStage {
  constructor(width: number, bug: StageBug = null) {
    super(width, 740, bug);
  }
}

/** A batch of 2 inputs of 4 features. */
export const batch = [
  [0.5, -1.2, 0.8, 0.3],
  [1.1, 0.4, -0.7, -0.2],
];
