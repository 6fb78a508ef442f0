/**
 * The worst case for two wrong entries in one projection block: every gradient within a factor 2
 * of the others (one magnitude band, so the entries share blocks), and two errors that cancel
 * exactly in their sum. L = Σ w_i + ½·Σ w_i², a scalar loss of the parameters alone. Shared by the
 * screening tests and the bench's missed-pair figure.
 */
export interface OneBandLayer {
  params: { w: Float64Array };
  grads: { w: Float64Array };
  forward(): number;
  backward(upstream: number): undefined;
}

/** `entries` weights; backward moves `error` from the gradient of entry `pair` to entry `pair + 1` (no pair when negative). */
export function oneBand(entries: number, pair = -1, error = 0): OneBandLayer {
  const w = Float64Array.from({ length: entries }, (_, i) => 0.01 * Math.sin(i));
  const g = new Float64Array(entries);
  return {
    params: { w },
    grads: { w: g },
    forward: () => w.reduce((sum, v) => sum + v + 0.5 * v * v, 0),
    backward(upstream) {
      for (let i = 0; i < entries; i++) g[i] = upstream * (1 + w[i]);
      if (pair >= 0) {
        g[pair] -= error;
        g[pair + 1] += error;
      }
      return undefined;
    },
  };
}

/** Verdicts of `seeds` seeded projections of the pair at `floors` times the clean layer's floor: a pass is a missed pair. */
export function pairVerdicts(check: (layer: OneBandLayer, seed: number) => { verdict: string }, floor: number, floors: number, seeds: number, entries = 32): Record<string, number> {
  const verdicts: Record<string, number> = { pass: 0, fail: 0, inconclusive: 0, impossible: 0 };
  for (let seed = 1; seed <= seeds; seed++) verdicts[check(oneBand(entries, (seed * 37) % (entries - 1), floors * floor), seed).verdict]++;
  return verdicts;
}
