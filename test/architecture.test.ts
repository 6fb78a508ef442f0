/**
 * The shape of src/ as rules (scripts/architecture.ts): no import circles, no import into a higher
 * layer (engine < layer < check < report < matchers < entries), no function over 80 lines. The
 * analysis itself is tested on small made-up sources, so a broken analysis cannot pass silently.
 */
import { describe, expect, it } from 'vitest';
import { analyze, MAX_FUNCTION_LINES, readSources, srcDir } from '../scripts/architecture.js';

describe('the analysis', () => {
  it('finds a circle of type-only imports and an import into a higher layer', () => {
    const result = analyze(
      new Map([
        ['check/a.ts', "import type { B } from './b.js';\nexport interface A { b: B }\n"],
        ['check/b.ts', "import type { A } from './a.js';\nimport { show } from '../report/show.js';\nexport interface B { a: A }\n"],
        ['report/show.ts', 'export const show = (): string => "";\n'],
        ['engine/rng.ts', 'export const next = (): number => 0;\n'],
      ]),
    );
    expect(result.circles).toEqual([['check/a.ts', 'check/b.ts']]);
    expect(result.upwardImports).toEqual(['check/b.ts -> report/show.ts']);
    const upward = analyze(new Map([['engine/rng.ts', "import { A } from '../check/a.js';\n"], ['check/a.ts', 'export const A = 1;\n']]));
    expect(upward.upwardImports).toEqual(['engine/rng.ts -> check/a.ts']);
    expect(upward.circles).toEqual([]);
  });

  it('measures functions, nested ones included, from first to last line', () => {
    const body = Array.from({ length: 5 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const result = analyze(new Map([['engine/f.ts', `export function outer(): number {\n${body}\n  const inner = () => 1;\n  return inner();\n}\n`]]));
    expect(result.functions.map((f) => [f.name, f.lines])).toEqual([
      ['outer', 9],
      ['(anonymous)', 1],
    ]);
  });
});

describe('src/', () => {
  const result = analyze(readSources(srcDir));

  it('has no import circles', () => {
    expect(result.circles).toEqual([]);
  });

  it('imports only from its own layer or lower ones', () => {
    expect(result.upwardImports).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const tooLong = result.functions.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.name} (src/${f.file}:${f.line}): ${f.lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('shows the check as its phases, one folder each, called in order by check-process.ts', () => {
    const pipeline = readSources(srcDir).get('check/check-process.ts') as string;
    const calls = ['prepareOrAbandon(', 'readAnalyticGradients(', 'checkBackwardContract(', 'probeAndPlan(', 'sweep(', 'checkJointly(', 'resolve(', 'diagnose(', 'assembleReport(', 'attributeLayers('];
    // Each call found after the one before it, within runCheck.
    let at = pipeline.indexOf('function* runCheck');
    const missing = calls.filter((name) => {
      const next = pipeline.indexOf(name, at);
      if (next < 0) return true;
      at = next;
      return false;
    });
    expect(missing).toEqual([]);
    const folders = new Set([...readSources(srcDir).keys()].filter((file) => file.startsWith('check/') && file.split('/').length > 2).map((file) => file.split('/')[1]));
    expect([...folders].sort()).toEqual(['assemble', 'attribute', 'diagnose', 'joint', 'plan', 'prepare', 'resolve', 'sweep']);
  });
});
