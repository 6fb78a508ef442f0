import { expect } from 'vitest';
import { matchers } from './matchers/index.js';
import type { GradientMatchers } from './matchers/types.js';

expect.extend(matchers);

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends GradientMatchers<T, T> {}
}
