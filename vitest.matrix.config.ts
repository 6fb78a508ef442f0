import { defineConfig } from 'vitest/config';

/**
 * `npm run test:matrix`: the packed package against every supported runner version, resolution
 * mode and package manager (packed-package.test.ts), every examples/ project run as a user runs
 * it (examples.test.ts), Vitest's browser mode in a headless system Chromium (browser.test.ts), and
 * `bun test` and `deno test` (other-runtimes.test.ts). All install from the registry and take
 * minutes, so `npm test` leaves them out (vitest.config.ts excludes these files) and runs
 * test/consumer/smoke.test.ts instead.
 */
export const matrixTests = [
  'test/consumer/packed-package.test.ts',
  'test/consumer/examples.test.ts',
  'test/consumer/browser.test.ts',
  'test/consumer/other-runtimes.test.ts',
];

export default defineConfig({
  test: {
    include: matrixTests,
    // Each file queues its own child processes for 2 cores, in its own worker, two files at a time.
    maxWorkers: 2,
    // Tests and hooks that wait for installs or runs pass their own, longer, timeouts; these bound the rest.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
