/**
 * Runs after tsup. Vitest's type augmentations must land in Vitest's ESM declarations: its CJS
 * stub has types of its own, and a `declare module 'vitest'` compiled as CommonJS merges with that
 * stub instead (TypeScript's `types` entries resolve with the require condition under node16).
 * So the require-condition declaration of each Vitest entry only references the ESM one, which
 * keeps attw's formats honest (a CJS .d.cts for the .cjs) and the augmentation where Vitest reads it.
 * (`./vitest-5`, kept for projects that name it, is the same files: one declaration serves Vitest 3 to 5.)
 *
 * Then the directory stubs: resolvers that ignore package `exports` (Jest before 28, TypeScript's
 * node10 resolution) look for `expect-gradcheck/jest` as a real `jest/package.json`. They exist
 * only for those resolvers, so they are written here from package.json's `exports` (each points at
 * its entry's require-condition build), git-ignored, and shipped through `files`. Their types are
 * the `.d.ts` declarations: TypeScript before 4.7 knows no `.d.cts` (TS2688 on a `types` entry),
 * and node10 resolution gives a declaration no module format anyway.
 *
 * Last, the declarations are made readable from TypeScript 4.0 on (the README's minimum): the
 * bundler writes inline `type` modifiers in export lists (`export { type A, b }`, TypeScript 4.5
 * syntax, TS1005 before). In a declaration file every name is a declaration, so they are dropped.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

writeFileSync(
  'dist/vitest.d.cts',
  `// The augmentation lives in the ESM declaration, where Vitest's own types are (see scripts/finish-build.mjs).\n/// <reference path="./vitest.d.ts" />\nexport {};\n`,
);

/** Who reads a stub, for its comment: TypeScript's node10 resolution reads all, Jest before 28 the jest/ one. */
const STUB_READERS = { jest: "Jest before 28, TypeScript's node10 resolution" };

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
for (const [subpath, conditions] of Object.entries(manifest.exports)) {
  if (subpath === '.' || subpath === './package.json') continue;
  const entry = subpath.slice('./'.length);
  if (!manifest.files.includes(entry)) throw new Error(`package.json "files" must list "${entry}", the directory stub of the ${subpath} export`);
  const readers = STUB_READERS[entry] ?? "TypeScript's node10 resolution";
  const stub = {
    '//': `For resolvers that ignore package exports (${readers}): expect-gradcheck/${entry}.`,
    main: `.${conditions.require.default}`,
    types: `.${conditions.import.types}`,
  };
  rmSync(entry, { recursive: true, force: true });
  mkdirSync(entry);
  writeFileSync(`${entry}/package.json`, `${JSON.stringify(stub, null, 2)}\n`);
}

/** `export { type A as B, c }` → `export { A as B, c }`, in every export and import list of a declaration. */
const withoutInlineTypeModifiers = (source) =>
  source.replace(/\b(export|import) \{([^}]*)\}/g, (_, keyword, names) => `${keyword} {${names.replace(/(^|,)(\s*)type\s+(?=[\w$])/g, '$1$2')}}`);

for (const file of readdirSync('dist')) {
  if (!/\.d\.c?ts$/.test(file)) continue;
  const source = readFileSync(`dist/${file}`, 'utf8');
  const rewritten = withoutInlineTypeModifiers(source);
  if (rewritten !== source) writeFileSync(`dist/${file}`, rewritten);
  if (/(export|import) \{[^}]*\btype\s+[\w$]/.test(rewritten)) throw new Error(`dist/${file} still has an inline type modifier`);
}
