/**
 * Runs after tsup. Vitest's type augmentations must land in Vitest's ESM declarations: its CJS
 * stub has types of its own, and a `declare module 'vitest'` compiled as CommonJS merges with that
 * stub instead (TypeScript's `types` entries resolve with the require condition under node16).
 * So the require-condition declaration of each Vitest entry only references the ESM one, which
 * keeps attw's formats honest (a CJS .d.cts for the .cjs) and the augmentation where Vitest reads it.
 * Vitest 5's declaration is hand-written (types/vitest-5.d.ts): it cannot compile beside Vitest 4.
 */
import { copyFileSync, writeFileSync } from 'node:fs';

copyFileSync('types/vitest-5.d.ts', 'dist/vitest-5.d.ts');
for (const entry of ['vitest', 'vitest-5']) {
  writeFileSync(
    `dist/${entry}.d.cts`,
    `// The augmentation lives in the ESM declaration, where Vitest's own types are (see scripts/finish-build.mjs).\n/// <reference path="./${entry}.d.ts" />\nexport {};\n`,
  );
}
