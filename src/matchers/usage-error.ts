import { OptionsError } from '../check/options.js';
import { InputError } from '../layer/input.js';
import { ContainerError } from '../layer/numeric-view.js';
import { LayerProtocolError } from '../layer/params.js';
import type { MatcherUtilsLike } from './matcher-context.js';
import { summarizeReceived } from './received-summary.js';

/** What a matcher error names: the hint line, the runner's printing helpers, and the call's own values. */
export interface CallShown {
  hint: string;
  utils: MatcherUtilsLike;
  received: unknown;
  /** The matcher's first argument (epsilon or the options) and its second (tolerance). */
  first: unknown;
  tolerance: unknown;
}

/** The runners' matcher-error shape: hint line, "Matcher error: …", the value named with its type. */
function usageError(call: CallShown, what: string, name: string, value: unknown): TypeError {
  const { utils } = call;
  const summary = (shown: unknown): string => summarizeReceived(shown, utils.printReceived, utils.RECEIVED_COLOR);
  return new TypeError(`${call.hint}\n\nMatcher error: ${what}\n\n${utils.printWithType(name, value, summary)}`);
}

/**
 * Usage errors (options, input, a value that is no layer) become matcher errors naming the value
 * at fault; the layer's own errors (and a layer the check could not put back) pass through
 * untouched, stack and all.
 */
export function translateError(error: unknown, call: CallShown): unknown {
  const { first, tolerance, received } = call;
  if (error instanceof OptionsError) {
    if (typeof first === 'object' && first !== null) return usageError(call, error.message, 'Options', first);
    if (error.message.startsWith('tolerance')) return usageError(call, error.message, 'Tolerance', tolerance);
    return usageError(call, error.message, 'Epsilon', first);
  }
  if (error instanceof InputError) {
    const given = typeof first === 'object' && first !== null && 'input' in first;
    return usageError(call, error.message, given ? 'Input' : 'Received', given ? (first as { input: unknown }).input : received);
  }
  if (error instanceof LayerProtocolError || error instanceof ContainerError) return usageError(call, error.message, 'Received', received);
  return error;
}
