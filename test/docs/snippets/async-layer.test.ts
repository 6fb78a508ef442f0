/**
 * The awaited check docs/async.md shows (the `await` region), on the README's dense layer answering
 * through Promises; the same numbers as its synchronous twin.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients, checkGradientsAsync } from '../../../src/index.js';
import { Dense } from '../../../examples/vitest-typescript/dense.js';

/** examples/vitest-typescript's Dense, its forward and backward answering through a Promise, as a GPU read-back does. */
class AsyncDense {
  private readonly dense: Dense;
  readonly params: Dense['params'];
  readonly grads: Dense['grads'];

  constructor(inputs: number, outputs: number, bug?: 'bias-first-sample') {
    this.dense = new Dense(inputs, outputs, bug);
    this.params = this.dense.params;
    this.grads = this.dense.grads;
  }

  sampleInput(): number[][] {
    return this.dense.sampleInput();
  }

  async forward(x: number[][]): Promise<number[][]> {
    await Promise.resolve();
    return this.dense.forward(x);
  }

  async backward(dy: number[][]): Promise<number[][]> {
    await Promise.resolve();
    return this.dense.backward(dy);
  }
}

describe('an async layer', () => {
  // #region await
  it('AsyncDense has correct gradients', async () => {
    await expect(new AsyncDense(4, 3)).toHaveCorrectGradients();
  });
  // #endregion

  it('fails awaited when its backward is wrong, with the same report as the synchronous layer', async () => {
    await expect(new AsyncDense(4, 3, 'bias-first-sample')).not.toHaveCorrectGradients();
    const asyncReport = await checkGradientsAsync(new AsyncDense(4, 3, 'bias-first-sample'));
    const syncReport = checkGradients(new Dense(4, 3, 'bias-first-sample'));
    expect({ ...asyncReport, elapsedSeconds: 0 }).toEqual({ ...syncReport, elapsedSeconds: 0 });
  });
});
