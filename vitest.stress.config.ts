import { defineConfig } from 'vitest/config';

/**
 * `npm run test:stress`: the tests that measure a rate over thousands of seeded checks or restore
 * state at a scale no quick test needs (`*.stress.test.ts`, beside the unit tests of the same
 * module). They take about a minute of CPU, so `npm test`, the everyday loop, leaves them out;
 * `.ci/run` runs them.
 */
export const stressTests = ['test/**/*.stress.test.ts'];

export default defineConfig({
  test: {
    include: stressTests,
    setupFiles: ['src/vitest.ts'],
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
