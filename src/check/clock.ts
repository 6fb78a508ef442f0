/** A monotonic clock in seconds (injected, so tests can run the check on a virtual one). */
export type Clock = () => number;

// Jest before 27 runs tests in a node environment without the `performance` global.
export const wallClock: Clock =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() / 1000 : () => Date.now() / 1000;
