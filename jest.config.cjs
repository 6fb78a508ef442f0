/**
 * Jest runs the same matcher as Vitest, through src/jest.ts (the `expect-gradcheck/jest` entry),
 * so both runners' message paths are tested from source. ts-jest only transpiles here
 * (isolatedModules); `npm run typecheck` type-checks these files.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/jest'],
  testMatch: ['<rootDir>/test/jest/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/src/jest.ts'],
  // Explicit, not Jest's 5 s default: a gradient check of a real tfjs layer on a busy 2-core machine
  // takes seconds. The same bound as the Vitest suite's.
  testTimeout: 60_000,
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'es2022',
          isolatedModules: true,
          esModuleInterop: true,
          strict: true,
        },
      },
    ],
  },
  // Sources import siblings as './x.js' (ESM style); Jest resolves the .ts file instead.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
