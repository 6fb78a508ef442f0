import { createGradientScale, neededErrorEstimate } from '../engine/absolute-tolerance.js';
import type { Dtype } from '../engine/dtype.js';
import { errorBand, normalizedError } from '../engine/normalized-error.js';
import type { TensorMeasurement } from './check-tensor.js';
import { compareFailures } from './failure-order.js';
import type { TensorReport, UnresolvedEntry } from './report-types.js';

/**
 * A tensor's report plus what the overall normalized error is computed from: per entry, the value
 * the analytic one was measured against, and the analytic value with non-finite ones as 0.
 */
export type TensorResult = TensorReport & { reference: Float64Array; finiteAnalytic: Float64Array };

export interface ResolvedTensors {
  tensors: TensorResult[];
  gradientScale: number;
  absoluteTolerance: number;
}

/**
 * Turns measurements into tensor reports. Unresolved passing entries are split, against the
 * layer-wide absolute tolerance (see `absolute-tolerance.ts`), into negligible ones (counted) and
 * significant ones the step could not resolve (listed: they make the check inconclusive).
 */
export function resolveTensors(measurements: TensorMeasurement[], tolerance: number, dtype: Dtype): ResolvedTensors {
  const scale = createGradientScale();
  for (const m of measurements) {
    const kinkIndices = new Set(m.kinks.map((k) => k.index));
    for (let i = 0; i < m.numeric.length; i++) if (!kinkIndices.has(i)) scale.add(m.numeric[i], m.errorEstimate[i], tolerance);
  }
  const absoluteTolerance = tolerance * scale.value;
  const tensors = measurements.map((m): TensorResult => {
    const { view, analytic, name } = m.tensor;
    const inconclusive: UnresolvedEntry[] = [];
    let negligible = 0;
    for (const i of m.unresolvedIndices) {
      const needed = neededErrorEstimate(analytic[i], m.numeric[i], tolerance, absoluteTolerance);
      if (m.errorEstimate[i] <= needed) {
        negligible++;
      } else {
        inconclusive.push({
          index: i,
          position: view.position(i),
          analytic: analytic[i],
          numeric: m.numeric[i],
          errorEstimate: m.errorEstimate[i],
          needed,
          stepUsed: m.stepUsed[i],
        });
      }
    }
    // Worst first: the entry furthest from being resolved.
    inconclusive.sort((a, b) => b.errorEstimate / b.needed - a.errorEstimate / a.needed);
    const failures = [...m.failures].sort(compareFailures);
    const finiteAnalytic = analytic.map((v) => (Number.isFinite(v) ? v : 0));
    const tensorError = normalizedError(m.reference, finiteAnalytic, view.size);
    return {
      name,
      shape: [...view.shape],
      size: view.size,
      ragged: view.ragged,
      dtype,
      pass: failures.length === 0 && inconclusive.length === 0,
      normalizedError: tensorError,
      band: errorBand(tensorError, dtype),
      failures,
      kinks: m.kinks,
      negligible,
      inconclusive,
      analytic,
      numeric: m.numeric,
      errorEstimate: m.errorEstimate,
      reference: m.reference,
      finiteAnalytic,
    };
  });
  return { tensors, gradientScale: scale.value, absoluteTolerance };
}
