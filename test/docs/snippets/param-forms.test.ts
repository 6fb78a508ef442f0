/**
 * The four forms of parameters docs/layer-protocol.md shows (its code block is the `forms` regions
 * below, in order), each on the same dense layer: every form passes, and reports its names.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../../src/index.js';

/** y = x·W + b, x [2][3], W [3,4] row-major, b [4]; the forms below only add how params are given. */
class DenseBase {
  W = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  b = Float64Array.from({ length: 4 }, (_, i) => Math.cos(i + 1));
  dW = new Float64Array(12);
  db = new Float64Array(4);
  private x: number[][] = [];

  sampleInput(): number[][] {
    return [
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
    ];
  }

  forward(x: number[][]): number[][] {
    this.x = x;
    return x.map((row) => [0, 1, 2, 3].map((o) => row.reduce((sum, v, i) => sum + v * this.W[i * 4 + o], this.b[o])));
  }

  backward(dy: number[][]): number[][] {
    this.x.forEach((row, n) => {
      for (let o = 0; o < 4; o++) {
        this.db[o] += dy[n][o];
        row.forEach((v, i) => (this.dW[i * 4 + o] += v * dy[n][o]));
      }
    });
    return dy.map((g) => [0, 1, 2].map((i) => g.reduce((sum, gv, o) => sum + gv * this.W[i * 4 + o], 0)));
  }
}

class Records extends DenseBase {
  // #region forms
  // (a) records, each with its own grad
  params = [{ name: 'W', value: this.W, grad: this.dW, shape: [3, 4] }, { name: 'b', value: this.b, grad: this.db }];
  // #endregion
}

class RecordOfValues extends DenseBase {
  // #region forms
  // (b) a record of values, grads under the same keys
  params = { W: this.W, b: this.b };
  grads = { W: this.dW, b: this.db };
  // #endregion
}

class AlignedLists extends DenseBase {
  // #region forms
  // (c) aligned lists (reported as params[0], params[1])
  params = [this.W, this.b];
  grads = [this.dW, this.db];
  // #endregion
}

class Methods extends DenseBase {
  // #region forms
  // (d) any of these returned by methods
  params() { return { W: this.W, b: this.b }; }
  grads() { return { W: this.dW, b: this.db }; }
  // #endregion
}

describe('the parameter forms of docs/layer-protocol.md', () => {
  it.each([
    ['(a) records', () => new Records(), ['W', 'b', 'input']],
    ['(b) a record of values', () => new RecordOfValues(), ['W', 'b', 'input']],
    ['(c) aligned lists', () => new AlignedLists(), ['params[0]', 'params[1]', 'input']],
    ['(d) methods', () => new Methods(), ['W', 'b', 'input']],
  ] as const)('%s: the layer passes, its tensors named as the docs say', (_form, make, names) => {
    const report = checkGradients(make());
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((tensor) => tensor.name)).toEqual(names);
  });

  it('(a) with a shape: positions are reported in it', () => {
    const layer = new Records();
    const backward = layer.backward.bind(layer);
    layer.backward = (dy) => {
      const dx = backward(dy);
      layer.dW[6] *= 2; // W[1,2]
      return dx;
    };
    expect(checkGradients(layer).tensors[0].failures.map((failure) => failure.position)).toEqual([[1, 2]]);
  });
});
