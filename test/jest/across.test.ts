/// <reference types="jest" />
/**
 * `toHaveCorrectGradientsAcross` under Jest through the global `expect`: Jest draws no diff for
 * custom matchers, so the message carries the smallest failing configuration, its report and the
 * drawn diff. Sync and async layers.
 */
import { rejectionMessage, thrownMessage } from '../helpers/assertion-messages';
import { shapeCase } from '../zoo/shapes/index';
import type { Config } from '../../src/across/across-types';
import type { Layer } from '../../src/layer/protocol';

const conv = shapeCase('strided-conv-same');

function asyncBuild(config: Config): { layer: Layer; input: unknown } {
  const { layer, input } = conv.build(config, true) as { layer: Layer; input: unknown };
  const source = layer as unknown as Record<string, unknown> & { forward(x: unknown): unknown; backward(g: unknown): unknown };
  const wrapped = Object.create(source) as Record<string, unknown>;
  wrapped.forward = async (x: unknown) => source.forward(x);
  wrapped.backward = async (g: unknown) => source.backward(g);
  return { layer: wrapped as unknown as Layer, input };
}

describe('toHaveCorrectGradientsAcross under Jest', () => {
  test('a correct layer passes across the space; .not passes a bug at odd widths', () => {
    expect((config: Config) => conv.build(config, false)).toHaveCorrectGradientsAcross(conv.space);
    expect((config: Config) => conv.build(config, true)).not.toHaveCorrectGradientsAcross(conv.space);
  });

  test('a bug at odd widths fails at the smallest one, with the report and the diff in the message', () => {
    const message = thrownMessage(() => expect((config: Config) => conv.build(config, true)).toHaveCorrectGradientsAcross(conv.space));
    expect(message.split('\n')[0]).toBe('expect(build).toHaveCorrectGradientsAcross(space)');
    expect(message).toMatch(/^Smallest failing configuration: \{ width: 1, kernel: 3 \}, found among \d+ of 24 configurations/m);
    expect(message).toContain('The check at { width: 1, kernel: 3 }:');
    expect(message).toContain('- Numeric (finite differences)');
    expect(message).toContain('+ Analytic (backward)');
  });

  test('an async layer is awaited', async () => {
    const message = await rejectionMessage(() => expect(asyncBuild).toHaveCorrectGradientsAcross(conv.space));
    expect(message).toMatch(/Smallest failing configuration: \{ width: 1, kernel: 3 \}/);
  });
});
