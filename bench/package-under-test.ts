/**
 * The package as users run it: the built `dist/` (what `npm pack` ships), not the sources through
 * tsx, whose keep-names wrappers add work per call that the published code does not do.
 * `npm run bench` builds first. Types come from the sources, which the build compiles.
 */
import type * as Package from '../src/index.js';

const entry = new URL('../dist/index.js', import.meta.url).href;

export const { checkGradients, checkGradientsAcross, formatReport } = (await import(entry)) as typeof Package;
