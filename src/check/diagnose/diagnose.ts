import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import type { Diagnosis, InconclusiveExplanation } from '../report-types.js';
import type { TensorResult } from '../resolve/resolve.js';
import { firstSampleOnly } from './backward-evidence.js';
import { withSharedConvention } from './gradient-factor-hints.js';
import { explainInconclusive } from './inconclusive-cause.js';
import { diagnoseTensor } from './tensor-diagnoses.js';

export interface DiagnosisResult {
  /** Likely causes of the failures, each holding on every failing entry it names. */
  diagnoses: Diagnosis[];
  /** Why some gradients could not be resolved, and what would resolve them (null when all were). */
  inconclusive: InconclusiveExplanation | null;
}

/** The seventh phase: likely causes of what failed, and of what could not be resolved. */
export function* diagnose(check: CheckContext, tensors: TensorResult[]): CheckProcess<DiagnosisResult> {
  const evidence = { firstSampleOnly: yield* firstSampleOnly(check, tensors), accumulating: check.accumulating };
  const perTensor = tensors.flatMap((tensor, i) => diagnoseTensor(tensor, { problems: check.problems, evidence, tolerance: check.tolerance, isInput: i >= check.slots.length }));
  // Parameters come first among the tensors; a number gradientFactor covers exactly them.
  const diagnoses = withSharedConvention(perTensor, tensors.slice(0, check.slots.length));
  const inconclusive = explainInconclusive({
    dtype: check.dtype,
    epsilon: check.options.epsilon,
    tolerance: check.tolerance,
    gradientScale: check.sweep.gradientScale,
    gradientScaleFrom: check.gradientScaleFrom,
    baseOutput: check.evaluation.baseOutput,
    scalarLoss: check.form.scalar,
    lossNoise: check.evaluation.lossNoise,
    tensors,
    neededEvaluations: check.neededEvaluations,
  });
  return { diagnoses, inconclusive };
}
