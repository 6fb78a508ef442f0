export type Dtype = 'float64' | 'float32';

/** Unit roundoff u: the largest relative rounding error of one stored value (half an ulp at 1). */
export function unitRoundoff(dtype: Dtype): number {
  return dtype === 'float32' ? 2 ** -24 : 2 ** -53;
}

/** Machine epsilon: the gap between 1 and the next representable number. */
export function machineEpsilon(dtype: Dtype): number {
  return dtype === 'float32' ? 2 ** -23 : 2 ** -52;
}
