import type { GradientReport } from '../check/report-types.js';

/** JSON-safe copy of a report: full gradient arrays left out, non-finite numbers as strings. */
export function reportToJSON(report: GradientReport): unknown {
  const finite = (value: number): number | string => (Number.isFinite(value) ? value : String(value));
  return {
    mode: report.mode,
    pass: report.pass,
    verdict: report.verdict,
    normalizedError: report.normalizedError,
    band: report.band,
    kinkCount: report.kinkCount,
    negligibleCount: report.negligibleCount,
    inconclusiveCount: report.inconclusiveCount,
    inconclusive: report.inconclusive,
    gradientScale: report.gradientScale,
    gradientScaleFrom: report.gradientScaleFrom,
    absoluteTolerance: report.absoluteTolerance,
    determinismChecks: report.determinismChecks,
    forwardCalls: report.forwardCalls,
    backwardCalls: report.backwardCalls,
    evaluations: report.evaluations,
    stop: report.stop,
    settings: report.settings,
    problems: report.problems,
    diagnoses: report.diagnoses,
    layers: report.layers === null ? null : report.layers.map((layer) => ({ ...layer, report: layer.report === null ? null : reportToJSON(layer.report) })),
    tensors: report.tensors.map((tensor) => ({
      name: tensor.name,
      shape: tensor.shape,
      size: tensor.size,
      dtype: tensor.dtype,
      pass: tensor.pass,
      normalizedError: tensor.normalizedError,
      band: tensor.band,
      kinks: tensor.kinks,
      jointFailures: tensor.jointFailures,
      tiedGroups: tensor.tiedGroups,
      gradientFactor: tensor.gradientFactor,
      ragged: tensor.ragged,
      coverage: {
        ...tensor.coverage,
        detectionFloor: tensor.coverage.detectionFloor === null ? null : finite(tensor.coverage.detectionFloor),
        screenedTo: tensor.coverage.screenedTo === null ? null : finite(tensor.coverage.screenedTo),
      },
      negligible: tensor.negligible,
      inconclusive: tensor.inconclusive.map((entry) => ({
        ...entry,
        analytic: finite(entry.analytic),
        numeric: finite(entry.numeric),
        errorEstimate: finite(entry.errorEstimate),
        needed: finite(entry.needed),
      })),
      failures: tensor.failures.map((f) => ({
        ...f,
        analytic: finite(f.analytic),
        numeric: finite(f.numeric),
        error: finite(f.error),
        errorEstimate: finite(f.errorEstimate),
      })),
    })),
  };
}
