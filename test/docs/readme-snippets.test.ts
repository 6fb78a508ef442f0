/**
 * The README and docs/ cannot drift from the code: every fenced code block carries a marker comment
 * saying where its text comes from, and is held to it (see markdown-blocks.ts for the markers):
 * - `snippet` blocks are identical to a file (or a `#region` of it) that a test runs: an examples/
 *   project (run from the packed package by `npm run test:matrix`), a consumer fixture, a zoo layer
 *   or a file under test/docs/snippets/ (run by this suite);
 * - `matrix-types` blocks are a tsconfig `types` line of test/consumer/matrix.ts, type-checked by
 *   the matrix;
 * - `output` blocks quote real output, made now (real-output.ts) or checked by the test that makes it;
 * - `shell` blocks only run scripts package.json has and install packages at versions the examples
 *   and the matrix install.
 * Relative links must reach an existing file (and heading). Nothing here uses the registry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../consumer/harness.js';
import { fencedBlocks, indentedCodeLines, type MarkedBlock } from './markdown-blocks.js';
import { CHECKED_ELSEWHERE, quoteMismatch, realOutput, removeProjects } from './real-output.js';
import { knownInstalls, matrixTypes, snippetSource } from './snippet-sources.js';

const docsDir = join(repoRoot, 'docs');
const files = ['README.md', ...readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const texts = new Map(files.map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')]));
const blocks = files.flatMap((file) => fencedBlocks(file, texts.get(file)!));
const where = (block: MarkedBlock): string => `${block.file}:${block.line}`;
const ofKind = (kind: string): Array<[string, MarkedBlock]> => blocks.filter((block) => block.kind === kind).map((block) => [`${where(block)} ${block.argument}`.trim(), block]);

const KINDS = ['snippet', 'matrix-types', 'output', 'shell'];

afterAll(() => removeProjects(), 60_000);

describe('every code block of README.md and docs/*.md is marked with its source', () => {
  test('each block has a known marker (the last non-blank line before its fence)', () => {
    const unmarked = blocks.filter((block) => block.kind === null || !KINDS.includes(block.kind)).map((block) => `${where(block)} (${block.kind ?? 'no marker'})`);
    expect(unmarked).toEqual([]);
    expect(blocks.length).toBeGreaterThan(20);
  });

  test('no indented code block escapes the markers', () => {
    const indented = files.flatMap((file) => indentedCodeLines(texts.get(file)!).map((line) => `${file}:${line}`));
    expect(indented).toEqual([]);
  });

  test('shell blocks are `sh` and no other block is', () => {
    const wrong = blocks.filter((block) => (block.kind === 'shell') !== (block.info === 'sh')).map(where);
    expect(wrong).toEqual([]);
  });
});

describe('snippet blocks are identical to their source', () => {
  test.each(ofKind('snippet'))('%s', (_title, block) => {
    expect(block.content, `${where(block)}: copy the source's text into the block (or change the source)`).toBe(snippetSource(block.argument));
  });
});

describe('types lines are the ones test/consumer/matrix.ts type-checks', () => {
  test.each(ofKind('matrix-types'))('%s', (_title, block) => {
    expect(block.content).toBe(matrixTypes(block.argument));
  });
});

describe('shell blocks run existing scripts and install tested versions', () => {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const installs = knownInstalls();
  // Bun and Deno as npm installs them (other-runtimes.test.ts runs both from node_modules/.bin).
  const BINARIES = new Set(['vitest', 'jest', 'tsc', 'bun', 'deno']);

  /** Why a command is not one these blocks may show, or null. */
  function problem(command: string): string | null {
    const words = command.replace(/^(\w+=\S+\s+)+/, '').split(/\s+/);
    const [tool, sub, ...rest] = words;
    if (tool === 'npm' && (sub === 'ci' || sub === 'test')) return null;
    if (tool === 'npm' && sub === 'run') return rest[0] in scripts ? null : `package.json has no script '${rest[0]}'`;
    if (tool === 'npx') return BINARIES.has(sub) ? null : `npx ${sub} is not a runner binary`;
    if (tool === 'node' && sub === '--test') return null;
    if ((tool === 'npm' && (sub === 'install' || sub === 'i')) || (tool === 'pnpm' && sub === 'add')) {
      for (const spec of rest.filter((word) => !word.startsWith('-'))) {
        const at = spec.lastIndexOf('@');
        const [name, version] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, null];
        if (name === 'expect-gradcheck') continue;
        const tested = installs.get(name);
        if (tested === undefined) return `${name} is installed by no example and no matrix project`;
        if (version !== null && ![...tested].some((candidate) => candidate === version || candidate.startsWith(`${version}.`))) {
          return `${name}@${version}: the examples and the matrix install ${[...tested].join(', ')}`;
        }
      }
      return null;
    }
    return `not a command these blocks may show: ${command}`;
  }

  test.each(ofKind('shell'))('%s', (_title, block) => {
    const commands = block.content
      .split('\n')
      .map((line) => line.replace(/\s#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .flatMap((line) => line.split('&&').map((command) => command.trim()));
    expect(commands.map((command) => [command, problem(command)]).filter(([, why]) => why !== null)).toEqual([]);
  });

  test('the README shows `npm ci && npm run demo` and `npm test` before its install section', () => {
    const readme = texts.get('README.md')!;
    const install = readme.indexOf('\n## Install');
    expect(install).toBeGreaterThan(0);
    const early = blocks.filter((block) => block.file === 'README.md' && block.kind === 'shell' && readme.split('\n').slice(0, block.line).join('\n').length < install);
    const lines = early.flatMap((block) => block.content.split('\n').map((line) => line.replace(/\s#.*$/, '').trim()));
    expect(lines).toContain('npm ci && npm run demo');
    expect(lines).toContain('npm test');
  });
});

describe('output blocks quote real output', () => {
  const outputs = ofKind('output');

  test('every output block names a known output', () => {
    expect(outputs.length).toBeGreaterThan(0);
  });

  test.concurrent.for(outputs.filter(([, block]) => !(block.argument in CHECKED_ELSEWHERE)))('%s', { timeout: 120_000 }, async ([, block], { expect }) => {
    const output = await realOutput(block.argument);
    expect(quoteMismatch(block.content, output), `${where(block)} against the real output:\n${output}`).toBeNull();
  });
});

describe('links', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
  const slug = (heading: string): string =>
    heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
  const anchors = (text: string): Set<string> => {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    for (const match of text.replace(/^(`{3,}|~{3,})[\s\S]*?^\1/gm, '').matchAll(/^#{1,6}\s+(.+)$/gm)) {
      const base = slug(match[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      result.add(count === 0 ? base : `${base}-${count}`);
    }
    return result;
  };

  test('every relative link reaches a file, and a heading when it names one', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = texts.get(file)!.replace(/^(`{3,}|~{3,})[\s\S]*?^\1/gm, '');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = match[1];
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split('#');
        const target = path === '' ? join(repoRoot, file) : normalize(join(repoRoot, dirname(file), path));
        if (!existsSync(target)) {
          broken.push(`${file}: ${link} (no such file)`);
          continue;
        }
        if (anchor !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
