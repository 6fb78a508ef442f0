import { INPUT_NAME, LayerProtocolError, type ParamSlot } from './params.js';
import { ContainerError, createView, isNumericContainer, sharesStorage, type NumericView } from './numeric-view.js';
import { describeValue } from './describe-value.js';

/**
 * Reading and writing a layer's gradients through the protocol. Grads are resolved again on every
 * call, because backward may replace the arrays.
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
  return isNumericContainer(container) ? createView(container, `gradient of '${slot.name}'`, { writable: true }) : null;
}

/** The layer's gradient storage and its values before the check, to be written back afterwards. */
export function saveGrad(slot: ParamSlot): { view: NumericView; values: Float64Array } | null {
  const view = existingGradView(slot);
  return view === null ? null : { view, values: readAll(view) };
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

/** The grads before any backward of the check, as zeros where the layer has none yet. */
function readGradOrZeros(slot: ParamSlot): Float64Array {
  const view = existingGradView(slot);
  return view === null || view.size !== slot.value.size ? new Float64Array(slot.value.size) : readAll(view);
}

/**
 * Whether `grads` hands out the layer's own arrays: a marker written through one read must be seen
 * through a fresh read. Copies cannot be reset before a backward, so the checker reads them differently.
 */
function gradsAreLive(slot: ParamSlot): boolean {
  const first = existingGradView(slot);
  if (first === null || first.size === 0) return true;
  const saved = first.get(0);
  const marker = saved === 1 ? 2 : 1;
  first.set(0, marker);
  try {
    const again = existingGradView(slot);
    return again !== null && again.get(0) === first.stored(marker);
  } finally {
    first.set(0, saved);
  }
}

const bitwiseEqual = (a: Float64Array, b: Float64Array): boolean => a.every((v, i) => Object.is(v, b[i]));

/**
 * How one parameter's gradient is read around a backward call:
 * - `reset`: the layer's own arrays, set to 0 before backward (works for `=` and `+=` layers);
 * - `overwrite`: copies, and backward overwrites the layer's arrays: read after;
 * - `accumulate`: copies, and backward adds (`+=`) to arrays the checker cannot reset: read before
 *   and after, and take the difference (exact to rounding of the running sum).
 */
export type GradMode = 'reset' | 'overwrite' | 'accumulate';

export interface GradChannel {
  readonly mode: GradMode;
  /** Called right before backward. */
  prepare(): void;
  /** The gradient backward produced, called right after it. */
  collect(): Float64Array;
}

export function gradChannel(slot: ParamSlot, mode: GradMode): GradChannel {
  let before: Float64Array | null = null;
  return {
    mode,
    prepare() {
      if (mode === 'reset') {
        const view = existingGradView(slot);
        if (view !== null) writeAll(view, new Float64Array(view.size));
      } else if (mode === 'accumulate') {
        before = readGradOrZeros(slot);
      }
    },
    collect() {
      const after = readGrad(slot);
      if (mode !== 'accumulate' || before === null) return after;
      for (let i = 0; i < after.length; i++) after[i] -= before[i];
      return after;
    },
  };
}

/** Per parameter, whether `grads` hands out the layer's own arrays (checked after the first backward). */
export function liveGrads(slots: ParamSlot[]): boolean[] {
  return slots.map(gradsAreLive);
}

/**
 * Decides each parameter's grad mode. Copies are the one case where `=` and `+=` layers must be
 * told apart: `afterSecond` holds the grads read after forward and the same backward(r) once more.
 */
export function decideGradModes(
  slots: ParamSlot[],
  live: boolean[],
  beforeFirst: Float64Array[],
  afterFirst: Float64Array[],
  afterSecond: Float64Array[] | null,
): GradMode[] {
  return slots.map((slot, i) => {
    if (live[i] || afterSecond === null) return 'reset';
    if (bitwiseEqual(afterSecond[i], afterFirst[i])) return 'overwrite';
    const before = beforeFirst[i].length === afterFirst[i].length ? beforeFirst[i] : new Float64Array(afterFirst[i].length);
    const increment = afterFirst[i].map((v, k) => v - before[k]);
    const again = afterSecond[i].map((v, k) => v - afterFirst[i][k]);
    const scale = increment.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // Both increments are one backward(r); they differ only by the rounding of the running sum.
    if (again.every((v, k) => Math.abs(v - increment[k]) <= 1e-5 * scale)) return 'accumulate';
    throw new LayerProtocolError(
      `grads returned a copy of '${slot.name}', and two identical backward() calls left different gradients that are neither equal (overwrite) ` +
        'nor one step apart (accumulate). Return the arrays the layer writes its gradients into.',
    );
  });
}

/** A gradient that shares storage with a parameter value would be zeroed or perturbed along with it. */
export function assertGradsApart(slots: ParamSlot[]): void {
  for (const slot of slots) {
    const container = slot.gradContainer();
    if (!isNumericContainer(container)) continue;
    const grad = createView(container, `gradient of '${slot.name}'`);
    const clash = slots.find((other) => sharesStorage(grad, other.value));
    if (clash !== undefined) {
      throw new LayerProtocolError(
        `The gradient of '${slot.name}' shares storage with the values of '${clash.name}': resetting or writing the gradient changes the parameter. ` +
          'Keep gradients in arrays of their own.',
      );
    }
  }
}

/** The grads before the first backward, for the slots whose grads are not live (zeros elsewhere: they will be reset). */
export function beforeBackward(slots: ParamSlot[], live: boolean[]): Float64Array[] {
  return slots.map((slot, i) => (live[i] ? new Float64Array(0) : readGradOrZeros(slot)));
}

/** The input as the check sees it: a view when it is a numeric container, else why not. */
export interface InputAccess {
  view: NumericView | null;
  /** Why the input cannot be perturbed (token ids in objects, strings…), when `view` is null. */
  reason: string;
  /** `the input option`, `layer.sampleInput()`… */
  source: string;
}

export function readInputGradient(returned: unknown, input: InputAccess, checkInput: boolean): Float64Array | null {
  if (returned === undefined || returned === null || !checkInput) return null;
  const inputView = input.view;
  if (inputView === null) {
    throw new LayerProtocolError(
      `backward() returned an input gradient (${describeValue(returned)}), but the input from ${input.source} cannot be perturbed (${input.reason}), ` +
        'so that gradient cannot be checked. Pass a numeric input, or set checkInput: false to check the parameters only.',
    );
  }
  if (!isNumericContainer(returned)) {
    throw new LayerProtocolError(
      `backward() returned ${describeValue(returned)}; it must return the input gradient (in the input's form) or nothing.`,
    );
  }
  const view = createView(returned, 'the input gradient returned by backward()', { allowRagged: true });
  if (view.size !== inputView.size) {
    throw new LayerProtocolError(
      `backward() returned an input gradient of ${view.size} entries for an input of ${inputView.size}; they must have the same shape.`,
    );
  }
  if (inputView.ragged || view.ragged) {
    for (let i = 0; i < view.size; i++) {
      if (view.position(i).join() !== inputView.position(i).join()) {
        throw new LayerProtocolError(
          `backward() returned an input gradient whose rows differ from the input's: entry ${i} sits at [${view.position(i)}] in the gradient and at [${inputView.position(i)}] in the input.`,
        );
      }
    }
  }
  return readAll(view);
}

/** A view of the input when it is a numeric container; otherwise null and the reason (token ids in objects, strings…). */
export function inputAccess(input: unknown, source: string): InputAccess {
  if (!isNumericContainer(input)) return { view: null, reason: `it is ${describeValue(input)}`, source };
  try {
    return { view: createView(input, INPUT_NAME, { allowRagged: true, writable: true }), reason: '', source };
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    return { view: null, reason: error.message, source };
  }
}
