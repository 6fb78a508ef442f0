import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', vitest: 'src/vitest.ts', jest: 'src/jest.ts', 'jest-globals': 'src/jest-globals.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node18',
  // One shared chunk for the engine in both formats, not a copy per entry.
  splitting: true,
  external: ['vitest', 'expect', '@jest/globals'],
});
