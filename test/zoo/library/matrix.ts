/**
 * A tiny dense `Matrix` class of the kind hand-written JavaScript NN libraries ship (float64,
 * row-major). Its storage is a `#private` field: nothing outside the class can see the numbers,
 * so a gradient checker has to read and perturb a `Matrix` through `get`/`set` (and learn its
 * shape from `rows`/`cols`), the way it would have to with any library's opaque matrix type.
 *
 * Every operation returns a NEW matrix; only `set` mutates. Out-of-range or non-integer indices
 * throw a `RangeError` instead of reading `undefined` (a silent NaN would hide a checker bug).
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly #data: Float64Array;

  constructor(rows: number, cols: number) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new RangeError(`Matrix: shape must be positive integers, got ${rows}×${cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.#data = new Float64Array(rows * cols);
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /** A matrix holding a copy of `values` (rows of equal length). */
  static from(values: readonly (readonly number[])[]): Matrix {
    const cols = values.length > 0 ? values[0].length : 0;
    const m = new Matrix(values.length, cols);
    values.forEach((row, r) => {
      if (row.length !== cols) throw new RangeError(`Matrix.from: row ${r} has ${row.length} entries, row 0 has ${cols}`);
      row.forEach((value, c) => m.set(r, c, value));
    });
    return m;
  }

  #index(r: number, c: number): number {
    if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || c < 0 || r >= this.rows || c >= this.cols) {
      throw new RangeError(`Matrix: index (${r}, ${c}) outside ${this.rows}×${this.cols}`);
    }
    return r * this.cols + c;
  }

  get(r: number, c: number): number {
    return this.#data[this.#index(r, c)];
  }

  set(r: number, c: number, value: number): void {
    this.#data[this.#index(r, c)] = value;
  }

  /** A new matrix with `fn` applied to every entry. */
  map(fn: (value: number, r: number, c: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) out.set(r, c, fn(this.get(r, c), r, c));
    return out;
  }

  clone(): Matrix {
    return this.map((value) => value);
  }

  /** Matrix product this·other. */
  multiply(other: Matrix): Matrix {
    if (this.cols !== other.rows) {
      throw new RangeError(`Matrix.multiply: ${this.rows}×${this.cols} · ${other.rows}×${other.cols}`);
    }
    const out = new Matrix(this.rows, other.cols);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < other.cols; c++) {
        let sum = 0;
        for (let k = 0; k < this.cols; k++) sum += this.get(r, k) * other.get(k, c);
        out.set(r, c, sum);
      }
    }
    return out;
  }

  transpose(): Matrix {
    const out = new Matrix(this.cols, this.rows);
    for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) out.set(c, r, this.get(r, c));
    return out;
  }

  /** this + other for the same shape, or a 1×cols row vector broadcast over every row. */
  add(other: Matrix): Matrix {
    const broadcast = other.rows === 1 && other.cols === this.cols;
    if (!broadcast && (other.rows !== this.rows || other.cols !== this.cols)) {
      throw new RangeError(`Matrix.add: ${this.rows}×${this.cols} + ${other.rows}×${other.cols}`);
    }
    return this.map((value, r, c) => value + other.get(broadcast ? 0 : r, c));
  }

  /** Entry-wise product of two matrices of the same shape. */
  hadamard(other: Matrix): Matrix {
    if (other.rows !== this.rows || other.cols !== this.cols) {
      throw new RangeError(`Matrix.hadamard: ${this.rows}×${this.cols} ⊙ ${other.rows}×${other.cols}`);
    }
    return this.map((value, r, c) => value * other.get(r, c));
  }

  /** The 1×cols row of column sums (a bias gradient summed over the batch). */
  columnSums(): Matrix {
    const out = new Matrix(1, this.cols);
    for (let c = 0; c < this.cols; c++) {
      let sum = 0;
      for (let r = 0; r < this.rows; r++) sum += this.get(r, c);
      out.set(0, c, sum);
    }
    return out;
  }

  /** A copy of the entries as nested `number[][]`. */
  toArray(): number[][] {
    return Array.from({ length: this.rows }, (_, r) => Array.from({ length: this.cols }, (_, c) => this.get(r, c)));
  }
}
