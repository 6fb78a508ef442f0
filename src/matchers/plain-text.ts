import type { MatcherUtilsLike } from './matcher-context.js';

/** ANSI escape sequences (CSI: colours, bold, dim, …), as the runners' colour helpers write them. */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

/**
 * The runner's helpers with their colours taken out. For Vitest: its JUnit reporter writes a
 * failure's `message` into the XML attribute as it is, dropping only the ESC character (invalid in
 * XML), so `this.utils.matcherHint`'s dim and red left `[2mexpect([22m[31mlayer…` there whenever
 * colours were on (`CI=true` turns them on). Vitest's own assertion messages (`expected 1 to be 2`)
 * carry no colour, and Vitest prints a whole message in red anyway: plain text loses nothing.
 */
export function withoutColour(utils: MatcherUtilsLike): MatcherUtilsLike {
  return {
    matcherHint: (...args) => stripAnsi(utils.matcherHint(...args)),
    printReceived: (value) => stripAnsi(utils.printReceived(value)),
    printExpected: (value) => stripAnsi(utils.printExpected(value)),
    printWithType: (name, value, print) => stripAnsi(utils.printWithType(name, value, print)),
    diff: (expected, received, options) => {
      const drawn = utils.diff(expected, received, options);
      return typeof drawn === 'string' ? stripAnsi(drawn) : drawn;
    },
    RECEIVED_COLOR: (text) => text,
  };
}
