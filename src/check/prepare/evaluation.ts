import { unitRoundoff, type Dtype } from '../../engine/dtype.js';
import { firstDifference } from '../../engine/first-difference.js';
import type { Rng } from '../../engine/rng.js';
import { absoluteDot, differenceDot } from '../../engine/summation.js';
import { containerLike, deepCopy } from '../../layer/container-copy.js';
import { refreshGradReads, type GradChannel } from '../../layer/gradients.js';
import { createView, readAll } from '../../layer/numeric-view.js';
import { readOutputInto, type OutputForm } from '../../layer/output.js';
import type { ParamSlot } from '../../layer/params.js';
import type { Layer } from '../../layer/protocol.js';
import { call, type CheckProcess, type LayerCall } from '../layer-call.js';
import { backwardMutatesUpstream } from '../problems.js';
import type { Problem } from '../report-types.js';
import { createDeterminismWatch, type DeterminismWatch } from '../sweep/determinism.js';

/**
 * Model bound on the rounding error of one loss sample, in units of u·Σ|r·y|: a few roundings of
 * terms as large as the output's own. Forwards that round more (long reductions, cancellation)
 * show it in the fourth difference of the samples, which `estimateDerivative` takes when larger.
 */
const LOSS_NOISE_FACTOR = 4;

/** Calls into the layer so far. */
export interface CallCounts {
  forward: number;
  backward: number;
}

/** How the check evaluates the layer: the projected loss, and forward + backward at the unperturbed point. */
export interface Evaluation {
  /** forward() at the current parameter and input values. */
  readonly forwardCall: LayerCall;
  /** The first output, flattened. */
  readonly baseOutput: Float64Array;
  /** The projection r of J = Σ r·y (1 for a scalar loss), rounded to the output's storage so the upstream gradient holds exactly r. */
  readonly projection: Float64Array;
  /** Model bound on the rounding of one loss sample. */
  readonly lossNoise: number;
  /** Re-evaluations of the unperturbed point, bit for bit against the first output. */
  readonly watch: DeterminismWatch;
  /** J − J₀ for one forward result. */
  lossChange(output: unknown): number;
  scaledProjection(scale: number): Float64Array;
  /** One forward at the unperturbed point (its output is evidence of determinism too) and one backward(upstream). */
  forwardBackward(upstreamValues: Float64Array, channels: readonly GradChannel[] | null): CheckProcess<unknown>;
}

export interface EvaluationParts {
  layer: Layer;
  slots: ParamSlot[];
  form: OutputForm;
  firstOutput: unknown;
  baseOutput: Float64Array;
  forwardCall: LayerCall;
  dtype: Dtype;
  rng: Rng;
  calls: CallCounts;
  problems: Problem[];
}

function drawProjection(form: OutputForm, rng: Rng): Float64Array {
  const projection = new Float64Array(form.size);
  if (form.scalar) projection[0] = 1;
  else for (let i = 0; i < form.size; i++) projection[i] = form.float32 ? Math.fround(rng.normal()) : rng.normal();
  return projection;
}

export function createEvaluation(parts: EvaluationParts): Evaluation {
  const { layer, slots, form, baseOutput, forwardCall, calls, problems } = parts;
  const projection = drawProjection(form, parts.rng);
  const scratchOutput = new Float64Array(form.size);
  const evaluateInto = function* (target: Float64Array): CheckProcess<void> {
    readOutputInto(yield forwardCall, form, target);
  };
  const watch = createDeterminismWatch({ baseOutput, evaluateInto, position: form.position });
  // Every estimate uses only differences of samples, and the change is computed exactly where J itself would round.
  const changeOf = (values: ArrayLike<number>): number =>
    form.scalar ? (values[0] as number) - baseOutput[0] : differenceDot(values, baseOutput, projection, form.size);
  // Deep: the layer may reuse (and overwrite) its output object on the next forward.
  const outputTemplate = deepCopy(parts.firstOutput);
  return {
    forwardCall,
    baseOutput,
    projection,
    lossNoise: LOSS_NOISE_FACTOR * unitRoundoff(parts.dtype) * absoluteDot(baseOutput, projection, form.size),
    watch,
    lossChange(output) {
      // Typed outputs are read in place: this runs once per forward call.
      if (!form.scalar && (output instanceof Float64Array || output instanceof Float32Array) && output.length === form.size) return changeOf(output);
      readOutputInto(output, form, scratchOutput);
      return changeOf(scratchOutput);
    },
    scaledProjection: (scale) => projection.map((r) => scale * r),
    *forwardBackward(upstreamValues, channels) {
      refreshGradReads(slots);
      if (channels !== null) for (const channel of channels) channel.prepare();
      yield* evaluateInto(scratchOutput);
      watch.compare(scratchOutput, 'before a backward call');
      const upstream = form.scalar ? upstreamValues[0] : containerLike(outputTemplate, upstreamValues);
      const returned = yield call('backward()', () => {
        calls.backward++;
        return layer.backward(upstream);
      });
      refreshGradReads(slots);
      if (!form.scalar && problems.every((p) => p.kind !== 'backward-mutates-upstream')) {
        const after = readAll(createView(upstream, 'the upstream gradient', { allowRagged: true }));
        const changedAt = firstDifference(after, upstreamValues);
        if (changedAt >= 0) problems.push(backwardMutatesUpstream(form.position(changedAt)));
      }
      return returned;
    },
  };
}
