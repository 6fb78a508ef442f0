import { describe, expect, it } from 'vitest';
import { jestMatchers, matchers } from '../../src/matchers/index.js';
import { plainUtils, type MatcherContextLike, type MatcherUtilsLike } from '../../src/matchers/matcher-context.js';
import { stripAnsi, withoutColour } from '../../src/matchers/plain-text.js';
import { Scale } from '../zoo/protocol/weight-scale.js';

const dim = (text: string): string => `\u001b[2m${text}\u001b[22m`;
const red = (text: string): string => `\u001b[31m${text}\u001b[39m`;

/** Helpers that colour as the runners' do when colours are on (CI=true, FORCE_COLOR, a terminal). */
const colouredUtils: MatcherUtilsLike = {
  matcherHint: (name, received = 'received', expected = '', options = {}) => `${dim('expect(')}${red(received)}${dim(')')}${options.isNot ? '.not' : ''}.${name}${dim(`(${expected})`)}`,
  printReceived: (value) => red(String(value)),
  printExpected: (value) => `\u001b[32m${String(value)}\u001b[39m`,
  printWithType: (name, value, print) => `${name} has value: ${print(value)}`,
  diff: (expected, received) => `${dim('- Expected')}\n${red(`+ ${String(received)}`)}\n${String(expected)}`,
  RECEIVED_COLOR: red,
};

const ESC = '\u001b';

describe('stripAnsi', () => {
  it('removes colour and style sequences, nothing else', () => {
    expect(stripAnsi(`${dim('expect(')}${red('layer')}\u001b[1;31mbold\u001b[0m [2m`)).toBe('expect(layerbold [2m');
  });

  it('withoutColour keeps what the helpers print, without colour', () => {
    const utils = withoutColour(colouredUtils);
    expect(utils.matcherHint('m', 'layer', '')).toBe('expect(layer).m()');
    expect(utils.printWithType('Received', 3, utils.printReceived)).toBe('Received has value: 3');
    expect(utils.RECEIVED_COLOR?.('x')).toBe('x');
    expect(withoutColour(plainUtils).diff(1, 2)).toBeNull();
  });
});

describe('messages under Vitest carry no colour codes (its JUnit reporter would leave `[2m` in the XML)', () => {
  const context = (isNot = false): MatcherContextLike => ({ utils: colouredUtils, isNot });
  const messageOf = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('did not throw');
  };

  it('the failure and the .not failure messages', () => {
    const failing = matchers.toHaveCorrectGradients.call(context(), new Scale(2)) as { pass: boolean; message: () => string };
    expect(failing.pass).toBe(false);
    expect(failing.message()).not.toContain(ESC);
    expect(failing.message().split('\n')[0]).toBe('expect(layer).toHaveCorrectGradients()');
    const notFailing = matchers.toHaveCorrectGradients.call(context(true), new Scale()) as { pass: boolean; message: () => string };
    expect(notFailing.pass).toBe(true);
    expect(notFailing.message()).not.toContain(ESC);
    expect(notFailing.message().split('\n')[0]).toBe('expect(layer).not.toHaveCorrectGradients()');
  });

  it('a usage error', () => {
    const message = messageOf(() => matchers.toHaveCorrectGradients.call(context(), 42));
    expect(message).not.toContain(ESC);
    expect(message).toContain('Matcher error:');
  });

  it('while Jest keeps its helpers’ colours, as its own matchers do (jest-junit strips them)', () => {
    const failing = jestMatchers.toHaveCorrectGradients.call(context(), new Scale(2)) as { message: () => string };
    expect(failing.message()).toContain(`${dim('expect(')}${red('layer')}`);
  });
});
