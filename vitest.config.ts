import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { matrixTests } from './vitest.matrix.config';
import { stressTests } from './vitest.stress.config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/jest runs under Jest (npm run test:jest); the registry-installing matrix and examples
    // tests are npm run test:matrix; the thousand-seed and large-scale ones npm run test:stress.
    exclude: ['test/jest/**', 'node_modules/**', ...matrixTests, ...stressTests],
    setupFiles: ['src/vitest.ts'],
    // Worker threads start each test file faster than forked processes: on 2 cores the suite's CPU
    // time fell from 168 s to 144 s (76 s instead of 85 s of wall time).
    pool: 'threads',
    // Vitest's default is one worker fewer than the cores: 1 on 2 cores, where the suite took 40 s
    // instead of 32 s with 2 (the smoke test's worker mostly waits on its child processes).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Explicit, so nothing depends on Vitest's defaults (5 s tests, 10 s hooks): the slowest unit
    // test takes about 6 s on 2 idle cores and up to 20 s with both cores busy. The smoke test's
    // build hook passes its own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
