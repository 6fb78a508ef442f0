/**
 * What must hold across copies of the package in one process (a setup file run by Vitest's module
 * runner beside a test file's native import, the ESM and the CJS build): a tensor class registered
 * through one copy is seen by every other, and a multiple-inputs marker of one is recognized by all.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { Matrix } from '../zoo/library/matrix.js';

type TensorClassModule = typeof import('../../src/layer/tensor-class.js');

/** A fresh copy of the module, as a second load of the package would give. */
async function freshCopy(): Promise<TensorClassModule> {
  vi.resetModules();
  return import('../../src/layer/tensor-class.js');
}

const unregisters: Array<() => void> = [];
afterEach(() => {
  for (const unregister of unregisters.splice(0)) unregister();
});

it('a class registered through one copy of the module is found by another, and unregistering removes it from both', async () => {
  const first = await freshCopy();
  const second = await freshCopy();
  expect(first).not.toBe(second);
  const matrix = Matrix.from([[1, 2]]);
  expect(second.tensorClassOf(matrix)).toBeNull();
  const unregister = first.registerTensorClass<Matrix>({
    matches: (value) => value instanceof Matrix,
    shape: (m) => [m.rows, m.cols],
    get: (m, i) => m.get(0, i),
    set: (m, i, v) => m.set(0, i, v),
    create: (values) => Matrix.from([Array.from(values)]),
  });
  unregisters.push(unregister);
  expect(second.tensorClassOf(matrix)?.shape(matrix)).toEqual([1, 2]);
  unregister();
  expect(second.tensorClassOf(matrix)).toBeNull();
  expect(first.tensorClassOf(matrix)).toBeNull();
});

it('the multiple-inputs marker of one copy of the module is recognized by another', async () => {
  vi.resetModules();
  const first = await import('../../src/layer/multiple-inputs.js');
  vi.resetModules();
  const second = await import('../../src/layer/multiple-inputs.js');
  expect(first.MultipleInputs).not.toBe(second.MultipleInputs);
  expect(second.isMultipleInputs(first.inputs([1], [2]))).toBe(true);
  expect(second.isMultipleInputs(first.namedInputs({ q: [1] }))).toBe(true);
  expect(second.isMultipleInputs([[1], [2]])).toBe(false);
  expect(second.isMultipleInputs({ values: [[1]], names: null })).toBe(false);
});
