/**
 * The runtimes other than Node that other-runtimes.test.ts (`npm run test:matrix`) installs from the
 * registry and runs the packed package under, and what their projects install beside them. Kept
 * apart from the test file so the docs tests can read which versions an install line may name.
 */

/** Its postinstall links the binary of the platform package (`@oven/bun-linux-x64`): nothing is downloaded. */
export const BUN = 'bun@1.4.4';
/** Its postinstall links the binary of `@deno/linux-x64-glibc`: nothing is downloaded. */
export const DENO = 'deno@2.9.6';
/** Jest's standalone `expect` for `deno test`: Deno's own `@std/expect` is on JSR, which no registry here serves. */
export const DENO_EXPECT = 'expect@30.5.2';

export const runtimeInstalls = [BUN, DENO, DENO_EXPECT];
