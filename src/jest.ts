import type {} from 'expect';
import { jestMatchers } from './matchers/index.js';
import type { GradientMatchers } from './matchers/types.js';

/** Jest injects `expect` as a global in setup files (setupFilesAfterEnv). */
const jestExpect = (globalThis as { expect?: { extend(matchers: object): void } }).expect;
if (jestExpect === undefined || typeof jestExpect.extend !== 'function') {
  throw new Error(
    "expect-gradcheck/jest found no global expect. Load it from Jest's setupFilesAfterEnv, e.g. " +
      "setupFilesAfterEnv: ['expect-gradcheck/jest'].",
  );
}
jestExpect.extend(jestMatchers);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends GradientMatchers<R, T> {}
  }
}

declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends GradientMatchers<R, T> {}
}
