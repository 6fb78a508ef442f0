/**
 * Small helpers shared by all zoo layers: seeded initial values, storage in the dtype's
 * containers, reading any container back as flat doubles, writing results into existing storage,
 * and the bug-variant plumbing.
 *
 * Layers read their parameters and inputs through `flatten` on every call (so in-place
 * perturbations by the checker are seen) and compute in doubles; results are stored into the
 * dtype's containers (`Float32Array` in float32, which rounds each entry as it is stored).
 */
import { createRng, type Rng } from '../../src/engine/rng.js';
import type { Layer, NumericContainer } from '../../src/layer/protocol.js';
import type { BugVariant, Dtype } from './types.js';

export { createRng };
export type { Rng };

/**
 * How a tensor is stored:
 * - `typed`: one flat `Float64Array` (float64) or `Float32Array` (float32);
 * - `plain`: one flat `number[]` (float64) or `Float32Array` (float32);
 * - `nested`: nested arrays whose innermost rows are `number[]` (float64) or `Float32Array` (float32);
 * - `tensor`: `{ data, shape }` with typed `data`.
 */
export type Form = 'typed' | 'plain' | 'nested' | 'tensor';

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Flat storage of `values` in the dtype (float32 rounds every entry). */
export function flatStore(dtype: Dtype, values: ArrayLike<number>, plain = false): Float64Array | Float32Array | number[] {
  if (dtype === 'float32') return Float32Array.from(values);
  return plain ? Array.from(values) : Float64Array.from(values);
}

/** Zero-filled flat storage of `n` entries in the dtype. */
export function zeros(dtype: Dtype, n: number, plain = false): Float64Array | Float32Array | number[] {
  return flatStore(dtype, new Float64Array(n), plain);
}

function nestedStore(dtype: Dtype, values: ArrayLike<number>, shape: readonly number[], offset: number, axis: number): unknown {
  const length = shape[axis];
  if (axis === shape.length - 1) {
    const row = dtype === 'float32' ? new Float32Array(length) : new Array<number>(length);
    for (let i = 0; i < length; i++) row[i] = values[offset + i];
    return row;
  }
  const stride = sizeOf(shape.slice(axis + 1));
  return Array.from({ length }, (_, i) => nestedStore(dtype, values, shape, offset + i * stride, axis + 1));
}

/**
 * `values` (row-major, `shape`) stored in `form`. Nested float32 storage has `Float32Array` rows,
 * which the checker accepts although the protocol's static type only names `number[]` nesting.
 */
export function pack(form: Form, dtype: Dtype, values: ArrayLike<number>, shape: readonly number[]): NumericContainer {
  if (sizeOf(shape) !== values.length) throw new Error(`pack: ${values.length} values for shape [${shape.join(', ')}]`);
  switch (form) {
    case 'typed':
      return flatStore(dtype, values);
    case 'plain':
      return flatStore(dtype, values, true);
    case 'nested':
      return nestedStore(dtype, values, shape, 0, 0) as NumericContainer;
    case 'tensor':
      return { data: flatStore(dtype, values) as Float64Array | Float32Array, shape: [...shape] };
  }
}

const isTyped = (value: unknown): value is Float64Array | Float32Array =>
  value instanceof Float64Array || value instanceof Float32Array;

const isTensorLike = (value: unknown): value is { data: unknown; shape: number[] } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value && 'shape' in value;

function collect(value: unknown, out: number[]): void {
  if (typeof value === 'number') {
    out.push(value);
  } else if (isTyped(value)) {
    for (let i = 0; i < value.length; i++) out.push(value[i]);
  } else if (Array.isArray(value)) {
    for (const child of value) collect(child, out);
  } else if (isTensorLike(value)) {
    collect(value.data, out);
  } else {
    throw new TypeError(`zoo layer: cannot read ${String(value)} as numbers`);
  }
}

/** Every entry of any numeric container (or a plain number), row-major, as doubles. Never modifies it. */
export function flatten(value: unknown): Float64Array {
  const out: number[] = [];
  collect(value, out);
  return Float64Array.from(out);
}

function writeRec(target: unknown, values: ArrayLike<number>, offset: number, add: boolean): number {
  if (isTyped(target) || (Array.isArray(target) && (target.length === 0 || typeof target[0] === 'number'))) {
    const row = target as number[] | Float64Array | Float32Array;
    for (let i = 0; i < row.length; i++) row[i] = add ? row[i] + values[offset + i] : values[offset + i];
    return offset + row.length;
  }
  if (Array.isArray(target)) {
    let k = offset;
    for (const child of target) k = writeRec(child, values, k, add);
    return k;
  }
  if (isTensorLike(target)) return writeRec(target.data, values, offset, add);
  throw new TypeError('zoo layer: cannot write into a non-numeric container');
}

/** Writes `values` row-major into the existing storage of `target` (same objects, rounding on store). */
export function writeInto(target: unknown, values: ArrayLike<number>): void {
  const end = writeRec(target, values, 0, false);
  if (end !== values.length) throw new Error(`writeInto: wrote ${end} of ${values.length} values`);
}

/** `target += values` entry by entry, row-major, into the existing storage. */
export function addInto(target: unknown, values: ArrayLike<number>): void {
  const end = writeRec(target, values, 0, true);
  if (end !== values.length) throw new Error(`addInto: added ${end} of ${values.length} values`);
}

function cloneStructure(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (isTyped(value)) return value.slice();
  if (Array.isArray(value)) return value.map(cloneStructure);
  if (isTensorLike(value)) return { ...value, data: cloneStructure(value.data), shape: [...value.shape] };
  throw new TypeError('zoo layer: cannot copy a non-numeric container');
}

/**
 * A NEW container of the same form as `template` (flat, typed, nested, `{ data, shape }`; a
 * `Float32Array` stays one) holding `values`. Used to return input gradients in the input's form.
 */
export function fillLike(template: unknown, values: ArrayLike<number>): NumericContainer {
  const copy = cloneStructure(template);
  writeInto(copy, values);
  return copy as NumericContainer;
}

/** `n` normal draws times `scale`. */
export function randn(rng: Rng, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => scale * rng.normal());
}

/** `n` draws with magnitude uniform in [low, high] and a random sign: kept away from 0. */
export function randAway(rng: Rng, n: number, low: number, high: number): number[] {
  return Array.from({ length: n }, () => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(low, high));
}

/** y[n][o] = Σ_i W[o][i]·x[n][i] for row-major x [batch × inSize] and W [out × inSize]. */
export function matmulRowsByTransposed(x: Float64Array, w: Float64Array, batch: number, inSize: number, outSize: number): Float64Array {
  const y = new Float64Array(batch * outSize);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outSize; o++) {
      let sum = 0;
      for (let i = 0; i < inSize; i++) sum += w[o * inSize + i] * x[n * inSize + i];
      y[n * outSize + o] = sum;
    }
  }
  return y;
}

/** What a bug variant is, before it is bound to a layer constructor. */
export interface BugSpec {
  name: string;
  description: string;
  wrongTensors: string[];
  float64Only?: boolean;
}

/** Throws on a bug name the layer does not implement (a typo would otherwise build a correct layer). */
export function checkBug(bug: string | undefined, specs: readonly BugSpec[]): void {
  if (bug !== undefined && !specs.some((spec) => spec.name === bug)) {
    throw new Error(`unknown bug '${bug}'; known: ${specs.map((spec) => spec.name).join(', ')}`);
  }
}

/** Binds each spec to the layer built with that bug switched on. */
export function variants(build: (dtype: Dtype, bug: string) => Layer, specs: readonly BugSpec[]): BugVariant[] {
  return specs.map((spec) => ({
    name: spec.name,
    description: spec.description,
    wrongTensors: [...spec.wrongTensors],
    ...(spec.float64Only ? { float64Only: true } : {}),
    make: (dtype: Dtype) => build(dtype, spec.name),
  }));
}
