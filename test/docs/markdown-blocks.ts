/**
 * The fenced code blocks of a Markdown file, each with the marker comment that says where its text
 * comes from: `<!-- snippet: path -->` (a whole file), `<!-- snippet: path#name -->` (a `#region name`
 * of it), `<!-- matrix-types: project family [minimal] -->` (a tsconfig `types` line of
 * test/consumer/matrix.ts), `<!-- output: id -->` (real output, see real-output.ts) or
 * `<!-- shell -->` (commands). The marker is the last non-blank line before the opening fence.
 */

export interface MarkedBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string (`ts`, `json`, `sh`…). */
  info: string;
  kind: string | null;
  argument: string;
  /** The lines between the fences, joined with newlines. */
  content: string;
}

const MARKER = /^<!--\s*([\w-]+)(?::\s*(.*?))?\s*-->$/;

export function fencedBlocks(file: string, text: string): MarkedBlock[] {
  const lines = text.split('\n');
  const blocks: MarkedBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[index]);
    if (open === null) continue;
    const [, fence, info] = open;
    let close = index + 1;
    const closes = (line: string): boolean => {
      const match = /^(`{3,}|~{3,})\s*$/.exec(line);
      return match !== null && match[1][0] === fence[0] && match[1].length >= fence.length;
    };
    while (close < lines.length && !closes(lines[close])) close++;
    if (close === lines.length) throw new Error(`${file}:${index + 1}: a code fence that is never closed`);
    let before = index - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? MARKER.exec(lines[before].trim()) : null;
    blocks.push({
      file,
      line: index + 1,
      info: info.trim(),
      kind: marker?.[1] ?? null,
      argument: marker?.[2] ?? '',
      content: lines.slice(index + 1, close).join('\n'),
    });
    index = close;
  }
  return blocks;
}

/**
 * Lines that CommonMark would read as an indented code block (4 spaces after a blank line, outside a
 * list): such a block would escape the fence check, so none may exist.
 */
export function indentedCodeLines(text: string): number[] {
  const lines = text.split('\n');
  const found: number[] = [];
  let inFence = false;
  let lastText = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (/^(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) continue;
    if (/^ {4,}\S/.test(line) && index > 0 && lines[index - 1].trim() === '' && !/^(\s|[-*+] |\d+\. )/.test(lastText)) found.push(index + 1);
    if (line.trim() !== '') lastText = line;
  }
  return found;
}
