/**
 * What a marked code block must say, read from where it comes from:
 * - `snippet: path` — the whole file (its `#region` marker lines left out);
 * - `snippet: path#name` — the lines between `// #region name` (or `# #region name`) and the next
 *   `#endregion`, other marker lines left out, their common indentation removed; a name that marks
 *   several places gives them all, in order, a blank line apart;
 * - `matrix-types: <project> <family slug> [minimal]` — the tsconfig `types` line of a type family in
 *   test/consumer/matrix.ts, which `npm run test:matrix` type-checks (`minimal`: its shortest line,
 *   checked with skipLibCheck on).
 * Paths are relative to the repository root.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../consumer/harness.js';
import { BROWSER_INSTALLS, projects } from '../consumer/matrix.js';
import { runtimeInstalls } from '../consumer/runtimes.js';

const REGION = /^\s*(?:\/\/|#)\s*#region\s+([\w-]+)\s*$/;
const END_REGION = /^\s*(?:\/\/|#)\s*#endregion\b/;

function dedent(lines: string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common));
}

export function snippetSource(argument: string): string {
  const [path, region] = argument.split('#');
  const file = join(repoRoot, path);
  if (!existsSync(file)) throw new Error(`snippet source ${path} does not exist`);
  const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  const isMarker = (line: string): boolean => REGION.test(line) || END_REGION.test(line);
  if (region === undefined) return lines.filter((line) => !isMarker(line)).join('\n');
  // A name may mark several places (one per class, say): the block shows them in order, a blank line apart.
  const parts: string[] = [];
  lines.forEach((line, start) => {
    if (REGION.exec(line)?.[1] !== region) return;
    const end = lines.findIndex((candidate, index) => index > start && END_REGION.test(candidate));
    if (end < 0) throw new Error(`${path}: '#region ${region}' at line ${start + 1} is never closed with #endregion`);
    parts.push(dedent(lines.slice(start + 1, end).filter((candidate) => !isMarker(candidate))).join('\n'));
  });
  if (parts.length === 0) throw new Error(`${path} has no '#region ${region}'`);
  return parts.join('\n\n');
}

export function matrixTypes(argument: string): string {
  const [dir, slug, minimal] = argument.split(/\s+/);
  const spec = projects.find((project) => project.dir === dir);
  if (spec === undefined) throw new Error(`test/consumer/matrix.ts has no project '${dir}'`);
  const family = spec.typeFamilies.find((candidate) => candidate.slug === slug);
  if (family === undefined) throw new Error(`project '${dir}' of test/consumer/matrix.ts has no type family '${slug}'`);
  const types = minimal === 'minimal' ? family.minimalTypes : family.types;
  if (types === undefined) throw new Error(`type family '${slug}' of project '${dir}' has no minimal types line`);
  return `{ "compilerOptions": { "types": [${types.map((entry) => JSON.stringify(entry)).join(', ')}] } }`;
}

/** Every `name@version` installed by an example project, a matrix project (the browser one too) or the Bun and Deno projects: what an install line may name. */
export function knownInstalls(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  const add = (name: string, version: string): void => {
    if (!known.has(name)) known.set(name, new Set());
    known.get(name)!.add(version);
  };
  for (const spec of [...projects, { installs: BROWSER_INSTALLS }, { installs: runtimeInstalls }]) {
    for (const install of spec.installs) {
      const at = install.lastIndexOf('@');
      add(install.slice(0, at), install.slice(at + 1));
    }
  }
  const examples = join(repoRoot, 'examples');
  for (const name of readdirSync(examples)) {
    const manifestPath = join(examples, name, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    for (const [dependency, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) add(dependency, version);
  }
  return known;
}

