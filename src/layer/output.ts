import { LayerProtocolError } from './params.js';
import { createView, isFlatTyped, isNumericContainer, type NumericView } from './numeric-view.js';
import { describeValue } from './describe-value.js';
import { isThenable, silenceRejection } from './promise.js';

/** How forward's result is read: a scalar loss, or a container of `size` entries. */
export interface OutputForm {
  scalar: boolean;
  size: number;
  shape: number[];
  float32: boolean;
  /** Position of an output entry (ragged outputs have no row-major shape to compute it from). */
  position(index: number): number[];
}

const OUTPUT = 'the output of forward()';

export function outputForm(output: unknown): OutputForm {
  if (typeof output === 'number') return { scalar: true, size: 1, shape: [], float32: false, position: () => [] };
  if (isThenable(output)) {
    silenceRejection(output);
    throw new LayerProtocolError(
      'forward() returned a Promise; the checker calls forward and backward synchronously. Async layers are not supported yet: ' +
        'read the values synchronously inside forward (e.g. dataSync() instead of await data()).',
    );
  }
  if (!isNumericContainer(output)) {
    throw new LayerProtocolError(
      `forward() returned ${describeValue(output)}; it must return a number (a loss) or a numeric array, nested arrays or { data, shape }.`,
    );
  }
  const view: NumericView = createView(output, OUTPUT, { allowRagged: true });
  if (view.size === 0) {
    throw new LayerProtocolError(
      'forward() returned an empty output (0 entries): no loss depends on it, so no gradient can be checked. Check the input given to forward().',
    );
  }
  return { scalar: false, size: view.size, shape: view.shape, float32: view.float32, position: view.position };
}

/** Copies forward's result into `target`, checking it still has the form seen first. */
export function readOutputInto(output: unknown, form: OutputForm, target: Float64Array): void {
  if (form.scalar) {
    if (typeof output !== 'number') {
      if (isThenable(output)) silenceRejection(output);
      throw new LayerProtocolError(`forward() returned a number first and ${describeValue(output)} later; it must keep one form.`);
    }
    target[0] = output;
    return;
  }
  if (isFlatTyped(output)) {
    if (output.length !== form.size) throw sizeChanged(output.length, form.size);
    // One native copy (float32 widens exactly): this runs once per forward call.
    target.set(output);
    return;
  }
  if (Array.isArray(output) && typeof output[0] === 'number') {
    if (output.length !== form.size) throw sizeChanged(output.length, form.size);
    for (let i = 0; i < output.length; i++) target[i] = output[i] as number;
    return;
  }
  if (isThenable(output)) silenceRejection(output);
  const view = createView(output, OUTPUT, { allowRagged: true });
  if (view.size !== form.size) throw sizeChanged(view.size, form.size);
  view.readInto(target);
}

function sizeChanged(now: number, first: number): LayerProtocolError {
  return new LayerProtocolError(`forward() returned ${now} entries after returning ${first}; the output size must not change.`);
}
