/**
 * src/jest.ts outside Jest: with no global `expect` (a Vitest worker without globals, a Bun preload
 * file, a package imported under `deno test`) it throws, saying where to load it from and, for Bun
 * and Deno, how to register the matchers instead.
 */
import { expect, test } from 'vitest';

test('without a global expect, importing the Jest entry throws with the setup for Jest and for Bun and Deno', async () => {
  expect((globalThis as { expect?: unknown }).expect).toBeUndefined();
  const error = await import('../src/jest.js').then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  const { message } = error as Error;
  expect(message).toMatch(/^expect-gradcheck\/jest found no global expect\. Load it from Jest's setupFilesAfterEnv/);
  expect(message).toContain("setupFilesAfterEnv: ['expect-gradcheck/jest']");
  expect(message).toContain('Under bun test and deno test, which give a package no global expect (a Bun preload file neither), register the matchers yourself');
  expect(message).toContain("import { jestMatchers } from 'expect-gradcheck', then expect.extend(jestMatchers).");
});
