import { neededErrorEstimate } from '../../engine/absolute-tolerance.js';
import type { Dtype } from '../../engine/dtype.js';
import { errorBand, partsToNormalizedError, type NormalizedErrorParts } from '../../engine/normalized-error.js';
import type { CheckContext } from '../context.js';
import { sortFailures } from './failure-order.js';
import { screenedCoverage } from './screened-coverage.js';
import { tensorPasses } from './verdict.js';
import type { TensorReport, UnresolvedEntry } from '../report-types.js';
import { settleFailureNorms, type TensorRecord } from '../sweep/tensor-record.js';

/** A tensor's report plus the norms the overall normalized error is merged from. */
export type TensorResult = TensorReport & { normParts: NormalizedErrorParts };

/**
 * Turns the modes' records into tensor reports. Unresolved passing entries are split, against the
 * layer-wide absolute tolerance (see `absolute-tolerance.ts`), into negligible ones (counted) and
 * significant ones the step could not resolve (listed: they make the check inconclusive).
 */
export function resolveTensors(records: TensorRecord[], tolerance: number, dtype: Dtype, gradientScale: number): TensorResult[] {
  const absoluteTolerance = tolerance * gradientScale;
  return records.map((record): TensorResult => {
    const { view, analytic, name } = record.tensor;
    const inconclusive: UnresolvedEntry[] = [];
    let negligible = 0;
    for (const { index: i, stepUsed } of record.unresolved) {
      const needed = neededErrorEstimate(analytic[i], record.numeric[i], tolerance, absoluteTolerance);
      if (record.errorEstimate[i] <= needed) {
        negligible++;
      } else {
        inconclusive.push({
          index: i,
          position: view.position(i),
          analytic: analytic[i],
          numeric: record.numeric[i],
          errorEstimate: record.errorEstimate[i],
          needed,
          stepUsed,
        });
      }
    }
    settleFailureNorms(record);
    // Worst first: the entry furthest from being resolved.
    inconclusive.sort((a, b) => b.errorEstimate / b.needed - a.errorEstimate / a.needed);
    const screened = screenedCoverage(record);
    const tensorError = partsToNormalizedError(record.normParts);
    const report: TensorResult = {
      name,
      shape: [...view.shape],
      size: view.size,
      ragged: view.ragged,
      dtype,
      pass: false,
      normalizedError: tensorError,
      band: errorBand(tensorError, dtype),
      failures: sortFailures(record.failures),
      kinks: record.kinks,
      jointFailures: record.jointFailures,
      tiedGroups: record.tiedGroups,
      gradientFactor: record.tensor.gradientFactor,
      negligible: negligible + screened.negligible,
      inconclusive,
      coverage: {
        inScope: record.scope.length,
        measured: record.measured,
        screened: screened.screened,
        detectionFloor: record.detectionFloor,
        screenedTo: record.screenedTo,
        screenedUnresolved: screened.unresolved,
        weak: screened.weak,
        unlocalized: record.unlocalized,
        failingBlocks: record.failingBlocks,
        skipped: screened.skipped,
      },
      analytic,
      numeric: record.numeric,
      errorEstimate: record.errorEstimate,
      normParts: record.normParts,
    };
    report.pass = tensorPasses(report);
    return report;
  });
}

/** The sixth phase: each tensor's measurements resolved into its report and its pass. */
export function resolve(check: CheckContext): TensorResult[] {
  return resolveTensors(check.records, check.tolerance, check.dtype, check.sweep.gradientScale);
}
