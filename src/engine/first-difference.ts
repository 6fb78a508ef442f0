/** Index of the first entry where a and b differ bit for bit (NaN equals NaN), or -1. */
export function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return i;
  return -1;
}
