import { LayerProtocolError } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import { createBudget } from './budget.js';
import { checkProcess } from './check-process.js';
import { wallClock } from './clock.js';
import { drive } from './layer-call.js';
import { validateOptions, type GradientCheckOptions, type ValidatedOptions } from './options.js';
import type { GradientReport } from './report-types.js';

export { LayerStateError } from './keep-state.js';
export { CheckAbandoned } from './check-process.js';
export { AsyncLayerError } from './layer-call.js';

function assertLayer(layer: unknown): asserts layer is Layer {
  if (typeof layer !== 'object' || layer === null) {
    throw new LayerProtocolError(
      `Expected a layer object with forward(), backward() and params, but got ${layer === null ? 'null' : typeof layer}.`,
    );
  }
  for (const method of ['forward', 'backward'] as const) {
    if (typeof (layer as Record<string, unknown>)[method] !== 'function') {
      throw new LayerProtocolError(
        `The layer has no ${method}() method. A layer needs forward(input) returning its output and backward(gradOutput) ` +
          'filling its parameter gradients (and returning the input gradient).',
      );
    }
  }
}

function startCheck(layer: Layer, options: ValidatedOptions, allowAsync: boolean): GradientReport | Promise<GradientReport> {
  const budget = createBudget(options, wallClock);
  return drive(checkProcess(layer, options, wallClock, budget), allowAsync, budget);
}

/**
 * Runs the check: synchronously while the layer answers synchronously, and as a Promise from the
 * first forward or backward that returns one. The matcher uses this, so sync layers keep a sync
 * matcher and async layers get an awaited one, with identical numbers.
 */
export function runGradientCheck(layer: Layer, options?: GradientCheckOptions): GradientReport | Promise<GradientReport> {
  const validated = validateOptions(options);
  assertLayer(layer);
  return startCheck(layer, validated, true);
}

/**
 * Checks a layer's backward pass against central finite differences of the projected loss
 * J = Σ r·forward(x) (r seeded, or J = forward(x) for a scalar loss) and returns plain data.
 * Throws a TypeError for anything that is not a usable layer, input or options, and an
 * AsyncLayerError when forward or backward returns a Promise (use `checkGradientsAsync`); the
 * layer's own errors pass through unchanged. Leaves every observable value of the layer exactly as
 * it was, also when the layer throws, and reports (never silently) anything it could not put back.
 */
export function checkGradients(layer: Layer, options?: GradientCheckOptions): GradientReport {
  const validated = validateOptions(options);
  assertLayer(layer);
  return startCheck(layer, validated, false) as GradientReport;
}

/** The same check for layers whose forward or backward may return a Promise (it awaits each call); also works for sync layers. */
export async function checkGradientsAsync(layer: Layer, options?: GradientCheckOptions): Promise<GradientReport> {
  return runGradientCheck(layer, options);
}
