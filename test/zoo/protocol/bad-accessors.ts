/**
 * Parameters behind accessors whose storage does not keep what is written, as glue code for a real
 * library can end up (the check must refuse them by name, not quietly measure the wrong thing):
 * - `clamping`: `set` clamps to [−1, 1], and two weights sit at 0.9999999 and −0.9999999, where a
 *   step crosses the bound: a fake kink that would hide the halved gradient beside them;
 * - `transposed`: `get` reads the 2×3 weights column-major while `set` writes them row-major, so a
 *   step at one entry lands on another.
 * y = W·x over one sample; the weight gradient is right except, in `clamping`, W[0,2] halved.
 */
export type BadAccessor = 'clamping' | 'transposed';

export class AccessorLayer {
  /** Row-major 2×3 weights, private to the layer as a library's tensor would keep them. */
  readonly #w = [0.9999999, -0.9999999, 0.5, 0.25, -0.75, 0.125];
  readonly #dw = new Array<number>(6).fill(0);
  private x: number[] = [];

  constructor(readonly accessor: BadAccessor) {}

  get params(): unknown[] {
    const w = this.#w;
    const clamped = this.accessor === 'clamping';
    // Column-major reading of a row-major 2×3: entry i = (row i % 2, column ⌊i / 2⌋).
    const read = (i: number): number => (clamped ? w[i] : w[(i % 2) * 3 + Math.floor(i / 2)]);
    return [
      {
        name: 'W',
        shape: [2, 3],
        get: read,
        set: (i: number, v: number) => {
          w[i] = clamped ? Math.min(1, Math.max(-1, v)) : v;
        },
        grad: () => this.#dw,
      },
    ];
  }

  sampleInput(): number[] {
    return [0.5, -1.25, 2];
  }

  forward(x: number[]): number[] {
    this.x = x;
    const w = this.#w;
    return [0, 1].map((r) => w[r * 3] * x[0] + w[r * 3 + 1] * x[1] + w[r * 3 + 2] * x[2]);
  }

  backward(g: number[]): number[] {
    for (let r = 0; r < 2; r++) for (let k = 0; k < 3; k++) this.#dw[r * 3 + k] = g[r] * this.x[k];
    if (this.accessor === 'clamping') this.#dw[2] /= 2;
    return [0, 1, 2].map((k) => g[0] * this.#w[k] + g[1] * this.#w[3 + k]);
  }

  /** The private weights, to compare before and after a check. */
  weights(): number[] {
    return [...this.#w];
  }
}
