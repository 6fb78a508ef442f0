/**
 * A line-by-line diff of two texts, without colours, laid out as Jest's `this.utils.diff` lays out
 * the matcher's diff: the two annotations, a blank line, then `-` lines for the first text and `+`
 * lines for the second. For runners whose matcher context has no `diff` (Bun). The matcher's two
 * texts list the same entries in the same order (`w[1]: -1.89…`), so line i pairs with line i and no
 * alignment search is needed.
 */
export interface PlainDiffOptions {
  aAnnotation?: string;
  bAnnotation?: string;
}

export function plainDiff(expected: unknown, received: unknown, options: PlainDiffOptions = {}): string | null {
  if (typeof expected !== 'string' || typeof received !== 'string') return null;
  const before = expected.split('\n');
  const after = received.split('\n');
  const lines = [`- ${options.aAnnotation ?? 'Expected'}`, `+ ${options.bAnnotation ?? 'Received'}`, ''];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (before[i] === after[i]) {
      lines.push(`  ${before[i]}`);
      continue;
    }
    if (i < before.length) lines.push(`- ${before[i]}`);
    if (i < after.length) lines.push(`+ ${after[i]}`);
  }
  return lines.join('\n');
}
