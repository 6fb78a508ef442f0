import { createRng, mixSeed } from '../../../engine/rng.js';

/**
 * The entries of a tensor's scope grouped by the magnitude of their analytic gradient: one band
 * per binary exponent of |a| (entries within a factor 2 of each other), one for exact zeros and one
 * for non-finite values; each band ascending, bands from the smallest magnitude up. A projection
 * over one band has an allowance set by gradients of the same size as each of its entries, so a
 * gradient 10⁷ times larger elsewhere in the tensor cannot hide an error in a small one.
 */
export function magnitudeBands(analytic: Float64Array, scope: Uint32Array): Uint32Array[] {
  const keys = new Int16Array(scope.length);
  const counts = countBands(analytic, scope, keys);
  const order = [...counts.keys()].sort((a, b) => a - b);
  const bands = new Map(order.map((key) => [key, { entries: new Uint32Array(counts.get(key) as number), filled: 0 }]));
  for (let k = 0; k < scope.length; k++) {
    const band = bands.get(keys[k]) as { entries: Uint32Array; filled: number };
    band.entries[band.filled++] = scope[k];
  }
  return order.map((key) => (bands.get(key) as { entries: Uint32Array }).entries);
}

/** How many entries of the scope each band holds, smallest magnitude first (what the plan needs). */
export function bandSizes(analytic: Float64Array, scope: Uint32Array): number[] {
  const counts = countBands(analytic, scope, null);
  return [...counts.keys()].sort((a, b) => a - b).map((key) => counts.get(key) as number);
}

function countBands(analytic: Float64Array, scope: Uint32Array, keys: Int16Array | null): Map<number, number> {
  const counts = new Map<number, number>();
  for (let k = 0; k < scope.length; k++) {
    const key = bandKey(analytic[scope[k]]);
    if (keys !== null) keys[k] = key;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const ZERO_KEY = -2000;
const NON_FINITE_KEY = 2000;
const exponentView = new DataView(new ArrayBuffer(8));

/** The binary exponent of |value| (read from its bits: no logarithm per entry), or a key of its own for 0 and non-finite values. */
function bandKey(value: number): number {
  if (value === 0) return ZERO_KEY;
  if (!Number.isFinite(value)) return NON_FINITE_KEY;
  exponentView.setFloat64(0, value);
  // Subnormals share exponent field 0: one band below the smallest normal.
  return ((exponentView.getUint16(0) >> 4) & 0x7ff) - 1023;
}

/**
 * A band is cut into at least this many blocks (where blocks stay this large): two entries in one
 * block of the first partition then share a block of the second only with probability about 1/8.
 * The second partition's blocks may be smaller than the first's, so that small bands split too.
 */
const PAIR_SPLIT = 8;
const SPLIT_FLOOR = 32;
const SECOND_SPLIT_FLOOR = 4;
/**
 * No block is larger: a direction holds three numbers per entry of its block while it is measured,
 * so a 10⁷-entry tensor is screened in blocks whose arrays stay small beside the tensor.
 */
export const MAX_BLOCK = 65_536;

/** The block sizes for one band, first and second partition: at most the plan's, small enough that the band splits into PAIR_SPLIT blocks. */
export function blockSizesFor(bandSize: number, planned: number): [number, number] {
  const share = Math.ceil(bandSize / PAIR_SPLIT);
  const cap = Math.min(planned, MAX_BLOCK);
  return [Math.min(cap, Math.max(SPLIT_FLOOR, share)), Math.min(cap, Math.max(SECOND_SPLIT_FLOOR, share))];
}

/** Consecutive blocks of at most `size` entries: the first partition. */
export function consecutiveBlocks(band: Uint32Array, size: number): Uint32Array[] {
  const blocks: Uint32Array[] = [];
  for (let start = 0; start < band.length; start += size) blocks.push(band.subarray(start, Math.min(band.length, start + size)));
  return blocks;
}

/**
 * The same band shuffled (seeded), then cut into blocks, each ascending: the second partition. Two
 * wrong entries that share a block of the first partition share one of the second only with
 * probability about size/band, so a pair whose errors cancel in one direction shows in the other.
 */
export function shuffledBlocks(band: Uint32Array, size: number, seed: number): Uint32Array[] {
  if (band.length === 0) return [];
  if (band.length <= size) return [band];
  const shuffled = band.slice();
  const rng = createRng(mixSeed(seed, 0x5b1f, band[0], band.length));
  for (let k = shuffled.length - 1; k > 0; k--) {
    const pick = Math.floor(rng.next() * (k + 1));
    const chosen = shuffled[pick];
    shuffled[pick] = shuffled[k];
    shuffled[k] = chosen;
  }
  return consecutiveBlocks(shuffled, size).map((block) => block.sort());
}
