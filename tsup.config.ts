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
  // src/vitest-5.d.ts is copied by the build script: its Vitest 5 `Matchers<R, T>` cannot merge with
  // the repository's Vitest 4 `Matchers<T>` (TS2428, hidden only by skipLibCheck), so tsconfig.json
  // leaves it out too.
});
