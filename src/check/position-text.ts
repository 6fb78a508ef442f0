/** `[1,3]`: a position as the messages print it. */
export function formatPosition(position: readonly number[]): string {
  return `[${position.join(',')}]`;
}
