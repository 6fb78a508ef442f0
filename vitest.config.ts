import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/jest/**', 'node_modules/**'],
    setupFiles: ['src/vitest.ts'],
    testTimeout: 60_000,
  },
});
