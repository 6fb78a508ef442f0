import type { TensorReport } from '../check/report-types.js';
import { entryLabel } from './format-number.js';

/** Ratios within this relative spread count as one constant factor. */
const RATIO_SPREAD = 1e-3;

/**
 * A guess at the mistake behind a failing tensor, from the pattern of its failures. Returns null
 * when no simple pattern fits; the guess is phrased as a question to check, never as a verdict.
 */
export function likelyCause(tensor: TensorReport): string | null {
  const failing = tensor.failures.filter((f) => f.kind !== 'non-finite');
  if (tensor.failures.some((f) => f.kind === 'non-finite')) {
    return `non-finite values in the gradient or the loss: look for a division by zero, log(0) or an overflowing exp.`;
  }
  if (failing.length === 0) return null;
  if (failing.every((f) => f.kind === 'kink-outside')) {
    return 'the analytic value lies outside every valid subgradient at a non-differentiable point (kink).';
  }
  if (tensor.numeric.every((v) => v === 0)) {
    return `every finite difference of '${tensor.name}' is zero while backward gives nonzero values: does forward() read these arrays (or copies made earlier)?`;
  }
  if (tensor.analytic.every((v) => v === 0)) {
    return `the analytic gradient of '${tensor.name}' is all zeros: does backward() write it (or into another array)?`;
  }
  const transposed = transposeMatches(tensor);
  if (transposed) return `the analytic gradient of '${tensor.name}' matches the transpose of the numeric one: a transposed weight gradient?`;
  const ratio = constantRatio(failing.map((f) => f.analytic / f.numeric));
  if (ratio !== null && failing.length >= 2) return describeFactor(ratio);
  if (failing.length === 1 && tensor.size > 1) {
    const only = failing[0];
    return `only ${entryLabel(tensor.name, only.position)} is wrong (${describeFactor(only.analytic / only.numeric) ?? 'an isolated error'}): an index or single-term mistake?`;
  }
  const failingShare = failing.length / tensor.size;
  if (failingShare < 0.5 && tensor.shape.length >= 2) {
    const rows = new Set(failing.map((f) => f.position[0]));
    if (rows.size === 1) return `all failures are in ${tensor.name}[${[...rows][0]},…]: a term that is right only for one row or one sample?`;
  }
  return null;
}

function constantRatio(ratios: number[]): number | null {
  if (ratios.length === 0 || ratios.some((r) => !Number.isFinite(r))) return null;
  const first = ratios[0];
  return ratios.every((r) => Math.abs(r - first) <= RATIO_SPREAD * Math.abs(first)) ? first : null;
}

function describeFactor(ratio: number): string | null {
  if (!Number.isFinite(ratio)) return null;
  const near = (target: number): boolean => Math.abs(ratio - target) <= RATIO_SPREAD * Math.abs(target);
  if (near(-1)) return 'analytic = −numeric: a sign flip?';
  if (near(0)) return null;
  const magnitude = Math.abs(ratio);
  const sign = ratio < 0 ? ' and a sign flip' : '';
  const whole = Math.round(magnitude);
  if (whole >= 2 && near(ratio < 0 ? -whole : whole)) {
    const guess = whole === 2 ? 'a term counted twice, or a missing division by 2' : `a missing division by ${whole}, the batch size or a count`;
    return `analytic ≈ ${whole} × numeric${sign}: a factor ${whole} too large (${guess}?)`;
  }
  const inverse = Math.round(1 / magnitude);
  if (inverse >= 2 && near((ratio < 0 ? -1 : 1) / inverse)) {
    const guess = inverse === 2 ? 'a halved term, or a missing factor 2 from a square' : `an extra division by ${inverse}, the batch size or a count`;
    return `analytic ≈ numeric / ${inverse}${sign}: a factor ${inverse} too small (${guess}?)`;
  }
  return `analytic ≈ ${Number(ratio.toPrecision(4))} × numeric: a constant factor is off`;
}

function transposeMatches(tensor: TensorReport): boolean {
  if (tensor.shape.length !== 2) return false;
  // Also covers a [cols, rows] gradient flattened into a [rows, cols] parameter.
  const [rows, cols] = tensor.shape;
  if (rows < 2 || cols < 2) return false;
  let scale = 0;
  for (const v of tensor.numeric) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return false;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (Math.abs(tensor.analytic[j * rows + i] - tensor.numeric[i * cols + j]) > 1e-4 * scale) return false;
    }
  }
  return true;
}
