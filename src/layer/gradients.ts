import { LayerProtocolError, type ParamSlot } from './params.js';
import { createView, describeValue, isNumericContainer, type NumericView } from './numeric-view.js';

/**
 * Reading and writing a layer's gradients and values through the protocol: grads are resolved
 * again on every call, because backward may replace the arrays.
 */

export function readAll(view: NumericView): Float64Array {
  const values = new Float64Array(view.size);
  view.readInto(values);
  return values;
}

export function writeAll(view: NumericView, values: Float64Array): void {
  for (let i = 0; i < view.size; i++) view.set(i, values[i]);
}

/** The gradient storage the layer holds now, or null before backward has allocated one. */
function existingGradView(slot: ParamSlot): NumericView | null {
  const container = slot.gradContainer();
  return isNumericContainer(container) ? createView(container, `gradient of '${slot.name}'`) : null;
}

export function saveGrad(slot: ParamSlot): { view: NumericView; values: Float64Array } | null {
  const view = existingGradView(slot);
  return view === null ? null : { view, values: readAll(view) };
}

export function zeroGrad(slot: ParamSlot): void {
  const view = existingGradView(slot);
  if (view !== null) writeAll(view, new Float64Array(view.size));
}

export function readGrad(slot: ParamSlot): Float64Array {
  const container = slot.gradContainer();
  if (container === undefined || container === null) {
    throw new LayerProtocolError(
      `After backward() there is no gradient for parameter '${slot.name}'. backward() must fill (or assign) the gradient of every parameter.`,
    );
  }
  const view = createView(container, `gradient of '${slot.name}'`);
  if (view.size !== slot.value.size) {
    throw new LayerProtocolError(
      `The gradient of '${slot.name}' has ${view.size} entries but the parameter has ${slot.value.size}; they must have the same shape.`,
    );
  }
  return readAll(view);
}

export function readInputGradient(returned: unknown, inputView: NumericView | null, checkInput: boolean): Float64Array | null {
  if (returned === undefined || returned === null || inputView === null || !checkInput) return null;
  if (!isNumericContainer(returned)) {
    throw new LayerProtocolError(
      `backward() returned ${describeValue(returned)}; it must return the input gradient (in the input's form) or nothing.`,
    );
  }
  const view = createView(returned, 'the input gradient returned by backward()');
  if (view.size !== inputView.size) {
    throw new LayerProtocolError(
      `backward() returned an input gradient of ${view.size} entries for an input of ${inputView.size}; they must have the same shape.`,
    );
  }
  return readAll(view);
}

export function differentiableView(input: unknown): NumericView | null {
  if (!isNumericContainer(input)) return null;
  try {
    return createView(input, 'input');
  } catch {
    // Inputs that are not plain float arrays (token ids in objects, masks…) are passed through unchecked.
    return null;
  }
}
