/**
 * npm run architecture — the import graph and function lengths of src/, read with the TypeScript
 * compiler: import circles, imports that run up the layers (engine < layer < check < across < report <
 * matchers < entries), and the longest functions. Exits 1 when a rule is broken. The same analysis
 * is asserted by test/architecture.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Lower layers never import higher ones; `adapters` build protocol layers and sit with `layer`;
 * `across` runs many checks (a search over configurations) and sits between `check` and `report`.
 */
export const LAYER_RANK: Readonly<Record<string, number>> = { engine: 0, layer: 1, adapters: 1, check: 2, across: 2.5, report: 3, matchers: 4, entries: 5 };

/** The longest a function in src/ may be, in lines from its first to its last. */
export const MAX_FUNCTION_LINES = 80;

export interface FunctionLength {
  file: string;
  line: number;
  name: string;
  lines: number;
}

export interface Architecture {
  /** Each circle as the files on it, in order. */
  circles: string[][];
  /** `from -> to` for each import into a higher layer. */
  upwardImports: string[];
  /** Every function, longest first. */
  functions: FunctionLength[];
}

/** The layer of a file under src/: its first folder, or `entries` for the files at the root. */
export function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0] : 'entries';
}

/** Relative imports and re-exports (type-only ones included: they bind modules together just the same). */
function importsOf(file: string, text: string, known: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'))
    .filter((target) => known.has(target));
}

/** Strongly connected components with more than one file (Tarjan), or a file importing itself. */
function circlesOf(graph: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component.reverse());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

function functionLengths(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: FunctionLength[] = [];
  const lineOf = (position: number): number => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const name = node.name !== undefined ? node.name.getText(source) : '(anonymous)';
      const line = lineOf(node.getStart(source));
      found.push({ file, line, name, lines: lineOf(node.getEnd()) - line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The analysis of a set of sources, keyed by their path under src/ (`check/options.ts`). */
export function analyze(sources: ReadonlyMap<string, string>): Architecture {
  const known = new Set(sources.keys());
  const graph = new Map([...sources].map(([file, text]) => [file, importsOf(file, text, known)]));
  const upwardImports = [...graph].flatMap(([file, targets]) =>
    targets.filter((target) => LAYER_RANK[layerOf(target)] > LAYER_RANK[layerOf(file)]).map((target) => `${file} -> ${target}`),
  );
  const functions = [...sources].flatMap(([file, text]) => functionLengths(file, text)).sort((a, b) => b.lines - a.lines);
  return { circles: circlesOf(graph), upwardImports, functions };
}

/** Every .ts file under `root`, keyed by its path relative to it. */
export function readSources(root: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) sources.set(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return sources;
}

export const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const result = analyze(readSources(srcDir));
  const longest = result.functions.slice(0, 5).map((f) => `  ${f.lines} lines  ${f.name} (src/${f.file}:${f.line})`);
  console.log(`${readSources(srcDir).size} modules; circles: ${result.circles.length}; upward imports: ${result.upwardImports.length}`);
  for (const circle of result.circles) console.log(`  circle: ${circle.join(' -> ')}`);
  for (const edge of result.upwardImports) console.log(`  upward: ${edge}`);
  console.log(`longest functions (limit ${MAX_FUNCTION_LINES}):\n${longest.join('\n')}`);
  const broken = result.circles.length > 0 || result.upwardImports.length > 0 || result.functions[0].lines > MAX_FUNCTION_LINES;
  process.exitCode = broken ? 1 : 0;
}
