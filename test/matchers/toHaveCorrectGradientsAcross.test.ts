/**
 * `expect(build).toHaveCorrectGradientsAcross(space, options?)` under Vitest: the message leads
 * with the smallest failing configuration and carries that check's report; the runner draws the
 * diff of its failing entries; async layers make an awaited matcher; usage errors name the value.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/across/across-types.js';
import type { Layer } from '../../src/layer/protocol.js';
import { rejectionMessage, thrownMessage } from '../helpers/assertion-messages.js';
import { shapeCase } from '../zoo/shapes/index.js';

const broadcast = shapeCase('broadcast-sum');
const correct = (config: Config): ReturnType<typeof broadcast.build> => broadcast.build(config, false);
const buggy = (config: Config): ReturnType<typeof broadcast.build> => broadcast.build(config, true);

function asyncBuild(config: Config): { layer: Layer; input: unknown } {
  const { layer, input } = broadcast.build(config, true) as { layer: Layer; input: unknown };
  const source = layer as unknown as { forward(x: unknown): unknown; backward(g: unknown): unknown };
  return { layer: { forward: async (x: unknown) => source.forward(x), backward: async (g: unknown) => source.backward(g) } as unknown as Layer, input };
}

describe('toHaveCorrectGradientsAcross under Vitest', () => {
  it('passes a correct layer across the space, and .not passes a shape-dependent bug', () => {
    expect(correct).toHaveCorrectGradientsAcross(broadcast.space);
    expect(buggy).not.toHaveCorrectGradientsAcross(broadcast.space);
  });

  it('fails a shape-dependent bug, leading with the smallest failing configuration, then its report and the diff data', () => {
    let thrown: (Error & { actual?: unknown; expected?: unknown }) | null = null;
    try {
      expect(buggy).toHaveCorrectGradientsAcross(broadcast.space);
    } catch (error) {
      thrown = error as Error;
    }
    const message = thrownMessage(() => expect(buggy).toHaveCorrectGradientsAcross(broadcast.space));
    const lines = message.split('\n');
    expect(lines[0]).toBe('expect(build).toHaveCorrectGradientsAcross(space)');
    expect(lines[2]).toBe("Expected the layer's backward pass to match central finite differences at every configuration.");
    expect(lines[4]).toMatch(/^Smallest failing configuration: \{ rows: 2, cols: 2 \}, found among 7 of 16 configurations/);
    expect(message).toContain('The check at { rows: 2, cols: 2 }:');
    expect(message).toMatch(/gradient entries disagree, in 1 of 1 tensors/);
    expect(String(thrown?.actual)).toMatch(/^input\[0,1\]: /m);
    expect(String(thrown?.expected)).toMatch(/^input\[0,1\]: /m);
  });

  it('.not on a correct layer fails, saying every configuration agrees', () => {
    const message = thrownMessage(() => expect(correct).not.toHaveCorrectGradientsAcross(broadcast.space, { seed: 3 }));
    expect(message.split('\n')[0]).toBe('expect(build).not.toHaveCorrectGradientsAcross(space, options)');
    expect(message).toContain("Expected some configuration's gradients to disagree with finite differences, but every one checked agrees.");
    expect(message).toContain('Every configuration checked passes: 16 of 16 configurations (seed 3,');
  });

  it('an async layer makes an awaited matcher with the same message', async () => {
    const message = await rejectionMessage(() => expect(asyncBuild).toHaveCorrectGradientsAcross(broadcast.space));
    expect(message).toMatch(/Smallest failing configuration: \{ rows: 2, cols: 2 \}/);
    await expect(asyncBuild).not.toHaveCorrectGradientsAcross(broadcast.space);
  });

  it('.not throws when the search reached no verdict: neither claim holds', () => {
    const message = thrownMessage(() => expect(() => null).not.toHaveCorrectGradientsAcross({ n: [1, 2] }));
    expect(message).toContain('Expected some configuration to fail, but the search reached no verdict, so it can claim neither.');
  });

  it('usage errors are matcher errors naming the value at fault', () => {
    const notABuilder = thrownMessage(() => expect({ forward() {} }).toHaveCorrectGradientsAcross(broadcast.space));
    expect(notABuilder).toMatch(/^expect\(build\)\.toHaveCorrectGradientsAcross\(space\)\n\nMatcher error: The first argument must be a function config => layer/);
    expect(notABuilder).toMatch(/Received has type: +Object/);
    const badSpace = thrownMessage(() => expect(correct).toHaveCorrectGradientsAcross({ rows: [] }));
    expect(badSpace).toContain("Matcher error: The space's 'rows' must be a non-empty array");
    expect(badSpace).toMatch(/Space has type: +Object/);
    const badOptions = thrownMessage(() => expect(correct).toHaveCorrectGradientsAcross(broadcast.space, { runs: 0 }));
    expect(badOptions).toContain('Matcher error: runs must be a whole number > 0, but got number 0.');
    expect(badOptions).toMatch(/Options has type: +Object/);
  });
});
