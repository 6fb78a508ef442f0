import { describe, expect, it } from 'vitest';
import { containerLike, deepCopy } from '../../src/layer/container-copy.js';
import { createView, positionOf } from '../../src/layer/numeric-view.js';

describe('createView', () => {
  it('reads and writes flat, typed, nested and tensor-like storage in place, row-major', () => {
    const nested = [[1, 2, 3], [4, 5, 6]];
    const view = createView(nested, 'W');
    expect(view.shape).toEqual([2, 3]);
    expect(view.get(4)).toBe(5);
    view.set(4, 50);
    expect(nested[1][1]).toBe(50);

    const tensor = { data: new Float32Array(6), shape: [3, 2] };
    const tensorView = createView(tensor, 'T');
    expect(tensorView.shape).toEqual([3, 2]);
    expect(tensorView.float32).toBe(true);
    tensorView.set(5, 0.1);
    expect(tensor.data[5]).toBe(Math.fround(0.1));
    expect(tensorView.stored(0.1)).toBe(Math.fround(0.1));

    const deep = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    const deepView = createView(deep, 'D');
    expect(deepView.shape).toEqual([2, 2, 2]);
    const all = new Float64Array(8);
    deepView.readInto(all);
    expect(Array.from(all)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('accepts nested arrays of typed rows', () => {
    const view = createView([new Float32Array([1, 2]), new Float32Array([3, 4])], 'R');
    expect(view.shape).toEqual([2, 2]);
    expect(view.float32).toBe(true);
    expect(view.get(3)).toBe(4);
  });

  it('explains ragged arrays, non-numbers, bad tensors and declared shapes', () => {
    expect(() => createView([[1, 2], [3]], "parameter 'W'")).toThrow("parameter 'W' is ragged: its nested rows differ in length.");
    expect(() => createView([1, '2', 3], "parameter 'b'")).toThrow(`parameter 'b' holds string "2" at [1] where a number was expected.`);
    expect(() => createView({ data: [1, 2, 3], shape: [2, 2] }, 'T')).toThrow('T has shape [2, 2] (4 entries) but its data holds 3.');
    expect(() => createView('abc', 'X')).toThrow('X is string "abc"; expected a number[]');
    expect(() => createView([1, 2, 3], 'W', { declaredShape: [2, 2] })).toThrow('W declares shape [2, 2] (4 entries) but holds 3.');
  });
});

describe('helpers', () => {
  it('maps flat indices to positions', () => {
    expect(positionOf(7, [3, 4])).toEqual([1, 3]);
    expect(positionOf(5, [2, 2, 2])).toEqual([1, 0, 1]);
    expect(positionOf(3, [6])).toEqual([3]);
  });

  it('clones deeply and builds containers of the same form', () => {
    const original = [new Float32Array([1, 2]), new Float32Array([3, 4])];
    const copy = deepCopy(original);
    copy[0][0] = 9;
    expect(original[0][0]).toBe(1);
    const like = containerLike({ data: new Float64Array(2), shape: [2] }, new Float64Array([5, 6])) as { data: Float64Array };
    expect(Array.from(like.data)).toEqual([5, 6]);
  });
});
