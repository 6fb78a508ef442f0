/** `[1,3]`: a position as the messages print it. */
export function formatPosition(position: readonly number[]): string {
  return `[${position.join(',')}]`;
}

/** `W[1,3]`, or the bare name for a scalar (a loss, a scalar parameter): never `loss[]`. */
export function entryLabel(tensor: string, position: readonly number[]): string {
  return position.length === 0 ? tensor : `${tensor}${formatPosition(position)}`;
}
