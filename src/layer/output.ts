import { LayerProtocolError } from './params.js';
import { createView, describeValue, isNumericContainer } from './numeric-view.js';

/** How forward's result is read: a scalar loss, or a container of `size` entries. */
export interface OutputForm {
  scalar: boolean;
  size: number;
  shape: number[];
  float32: boolean;
}

export function outputForm(output: unknown): OutputForm {
  if (typeof output === 'number') return { scalar: true, size: 1, shape: [], float32: false };
  if (output instanceof Promise || (typeof output === 'object' && output !== null && typeof (output as { then?: unknown }).then === 'function')) {
    throw new LayerProtocolError('forward() returned a Promise; the checker calls forward and backward synchronously.');
  }
  if (!isNumericContainer(output)) {
    throw new LayerProtocolError(
      `forward() returned ${describeValue(output)}; it must return a number (a loss) or a numeric array, nested arrays or { data, shape }.`,
    );
  }
  const view = createView(output, 'the output of forward()');
  return { scalar: false, size: view.size, shape: view.shape, float32: view.float32 };
}

/** Copies forward's result into `target`, checking it still has the form seen first. */
export function readOutputInto(output: unknown, form: OutputForm, target: Float64Array): void {
  if (form.scalar) {
    if (typeof output !== 'number') {
      throw new LayerProtocolError(`forward() returned a number first and ${describeValue(output)} later; it must keep one form.`);
    }
    target[0] = output;
    return;
  }
  if (output instanceof Float64Array || output instanceof Float32Array || (Array.isArray(output) && typeof output[0] === 'number')) {
    const flat = output as ArrayLike<number>;
    if (flat.length !== form.size) throw sizeChanged(flat.length, form.size);
    for (let i = 0; i < flat.length; i++) target[i] = flat[i];
    return;
  }
  const view = createView(output, 'the output of forward()');
  if (view.size !== form.size) throw sizeChanged(view.size, form.size);
  view.readInto(target);
}

function sizeChanged(now: number, first: number): LayerProtocolError {
  return new LayerProtocolError(`forward() returned ${now} entries after returning ${first}; the output size must not change.`);
}
