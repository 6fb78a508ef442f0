import { namedInputs } from 'expect-gradcheck';
import { expect, test } from 'vitest';
import { CrossAttention } from './attention';

test('CrossAttention has correct gradients for its weights and its three inputs', () => {
  const query = [[0.5, -1.2, 0.8], [1.5, 0.3, -0.6]];
  const key = [[0.2, 0.9, -0.4], [-1.1, 0.6, 0.3], [0.7, -0.5, 1.2]];
  const value = [[1.0, -0.3], [0.4, 0.8], [-0.9, 0.5]];
  // namedInputs calls forward(query, key, value) and reports input.query[i,j], input.key[i,j]…
  expect(new CrossAttention(3, 2)).toHaveCorrectGradients({ input: namedInputs({ query, key, value }) });
});
