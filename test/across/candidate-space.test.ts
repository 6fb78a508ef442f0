/**
 * The grid of candidate lists: validation, the exploration order (smallest first, seeded far
 * draws, every point once) and the neighbours a shrink step tries.
 */
import { describe, expect, it } from 'vitest';
import { candidateGrid, explorationOrder, pointKey, smallerNeighbours, smallestFirst } from '../../src/across/candidate-space.js';
import { OptionsError } from '../../src/check/options.js';

describe('candidateGrid', () => {
  it('refuses an empty space, a key that is not a non-empty array, and says what to give', () => {
    expect(() => candidateGrid({})).toThrow(OptionsError);
    expect(() => candidateGrid({})).toThrow(/give candidate lists such as \{ rows: \[1, 2, 3\]/);
    expect(() => candidateGrid({ rows: [] })).toThrow("The space's 'rows' must be a non-empty array of candidate values, smallest first, but got an array of length 0.");
    expect(() => candidateGrid({ rows: 3 as never })).toThrow(/but got number 3/);
    expect(candidateGrid({ rows: [1, 2], act: ['relu', 'tanh', 'gelu'] }).size).toBe(6);
  });
});

describe('the exploration order', () => {
  const grid = candidateGrid({ a: [1, 2, 3, 4], b: [1, 2, 3], c: [1, 2] });
  it('lists points by the sum of their indices, then lexicographically', () => {
    const points = [...smallestFirst(grid)].map(pointKey);
    expect(points.slice(0, 4)).toEqual(['0,0,0', '0,0,1', '0,1,0', '1,0,0']);
    expect(points).toHaveLength(24);
    expect(new Set(points).size).toBe(24);
  });

  it('visits every point once, smallest first with one seeded far draw in three, the same for the same seed', () => {
    const order = [...explorationOrder(grid, 42)].map(pointKey);
    expect(order).toHaveLength(24);
    expect(new Set(order).size).toBe(24);
    expect(order.slice(0, 2)).toEqual(['0,0,0', '0,0,1']);
    expect([...explorationOrder(grid, 42)].map(pointKey)).toEqual(order);
    expect([...explorationOrder(grid, 7)].map(pointKey)).not.toEqual(order);
    // The far draws reach the large corner early: within the first third of a large grid.
    const big = candidateGrid({ a: Array.from({ length: 20 }, (_, i) => i), b: Array.from({ length: 20 }, (_, i) => i) });
    const first = [...explorationOrder(big, 42)].slice(0, 60);
    expect(Math.max(...first.map((p) => p[0] + p[1]))).toBeGreaterThan(20);
  });
});

describe('smallerNeighbours', () => {
  it('moves each key alone to every smaller candidate, then two keys and all keys one step down together', () => {
    expect([...smallerNeighbours([2, 1])].map(pointKey)).toEqual(['0,1', '1,1', '2,0', '1,0']);
    expect([...smallerNeighbours([1, 1, 1])].map(pointKey)).toEqual(['0,1,1', '1,0,1', '1,1,0', '0,0,1', '0,1,0', '1,0,0', '0,0,0']);
    expect([...smallerNeighbours([0, 0])]).toEqual([]);
  });
});
