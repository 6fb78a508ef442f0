/// <reference types="jest" />
/**
 * The TensorFlow.js dense layer (test/zoo/tfjs/dense.ts), whose forward and backward await
 * `tensor.data()`, through Jest's global `expect`: the matcher is awaited, and a failure's message
 * (Jest draws no diff itself) names the wrong entries and carries their diff.
 */
import { rejectionMessage } from '../helpers/assertion-messages';
import { tf } from '../zoo/tfjs/backend';
import { TfjsDense, type TfjsDenseOptions } from '../zoo/tfjs/dense';

const built: TfjsDense[] = [];
function dense(options?: TfjsDenseOptions): TfjsDense {
  const layer = new TfjsDense(options);
  built.push(layer);
  return layer;
}
afterAll(() => {
  for (const layer of built) layer.dispose();
});

/** Labels of the `-`/`+` lines of the drawn diff (`-` numeric, `+` analytic). */
function diffLabels(message: string, sign: '-' | '+'): string[] {
  return [...message.matchAll(new RegExp(`^\\${sign}\\s+([^:\\s]+): \\S+$`, 'gm'))].map((match) => match[1]);
}

describe('a tfjs layer (async forward/backward) under Jest (global expect)', () => {
  test('a correct layer passes, awaited', async () => {
    const layer = dense();
    const params = Array.from(layer.params.W);
    await expect(layer).toHaveCorrectGradients();
    await expect(layer).toHaveCorrectGradients({ mode: 'exhaustive', seed: 7 });
    expect(Array.from(layer.params.W)).toEqual(params);
  });

  test('.not on a buggy layer passes', async () => {
    await expect(dense({ bug: 'weight-grad-times-2' })).not.toHaveCorrectGradients();
    await expect(dense({ bug: 'bias-grad-first-sample' })).not.toHaveCorrectGradients();
  });

  test('a buggy layer fails; the message names the wrong entries and carries the diff', async () => {
    const message = await rejectionMessage(() => expect(dense({ bug: 'weight-grad-times-2' })).toHaveCorrectGradients());
    const lines = message.split('\n');
    expect(lines[0]).toBe('expect(layer).toHaveCorrectGradients()');
    expect(message).toContain('6 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
    expect(message).toContain('Worst entries:');
    expect(lines.filter((line) => /^\s+W\[\d\]\s+analytic/.test(line)).map((line) => line.trim().split(' ')[0]).sort()).toEqual([
      'W[0]',
      'W[1]',
      'W[2]',
      'W[3]',
      'W[4]',
      'W[5]',
    ]);
    expect(message).toMatch(/^\s+W: analytic ≈ 2 × numeric/m);
    expect(lines).toContain('- Numeric (finite differences)');
    expect(lines).toContain('+ Analytic (backward)');
    expect(diffLabels(message, '-')).toEqual(['W[0]', 'W[1]', 'W[2]', 'W[3]', 'W[4]', 'W[5]']);
    expect(diffLabels(message, '+')).toEqual(['W[0]', 'W[1]', 'W[2]', 'W[3]', 'W[4]', 'W[5]']);

    const bias = await rejectionMessage(() => expect(dense({ bug: 'bias-grad-first-sample' })).toHaveCorrectGradients());
    expect(bias).toContain('2 of 14 gradient entries disagree, in 1 of 3 tensors (seed 42');
    expect(diffLabels(bias, '-')).toEqual(['b[0]', 'b[1]']);
  });

  test('.not on the correct layer fails saying they agree', async () => {
    const message = await rejectionMessage(() => expect(dense()).not.toHaveCorrectGradients());
    expect(message.split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
    expect(message).toContain("Expected the layer's gradients to disagree with finite differences, but they agree.");
  });

  test('repeated checks leak no tensors', async () => {
    const layer = dense();
    await expect(layer).toHaveCorrectGradients();
    const { numTensors, numDataBuffers } = tf.memory();
    await expect(layer).toHaveCorrectGradients();
    await expect(dense({ bug: 'weight-grad-times-2' })).not.toHaveCorrectGradients();
    // The second layer's 2 Variables are the only new tensors.
    expect(tf.memory()).toMatchObject({ numTensors: numTensors + 2, numDataBuffers: numDataBuffers + 2 });
  });
});
