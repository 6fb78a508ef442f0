import { INPUT_NAME, LayerProtocolError, type ParamSlot } from './params.js';
import { ContainerError, createView, isNumericContainer, readAll, sharesStorage, type NumericView, zeroAll } from './numeric-view.js';
import { describeValue, escapeText } from './describe-value.js';
import { gradAccessorView } from './accessor-view.js';
import { isObjectRecord } from './object-record.js';

/**
 * Reading and writing a layer's gradients through the protocol. Grads are resolved again on every
 * call, because backward may replace the arrays.
 */

const isGradAccessor = (value: unknown): value is { get(index: number): number; set?(index: number, value: number): void } =>
  isObjectRecord(value) && typeof value.get === 'function';

/**
 * A view of what the layer gives as a gradient: storage (read and reset in place), a number (a
 * scalar parameter's gradient, necessarily a copy), or an accessor `{ get(i), set?(i, v) }`.
 * Null when there is none yet (before backward has allocated it).
 */
function gradView(raw: unknown, slot: ParamSlot): NumericView | null {
  const what = `gradient of '${slot.name}'`;
  if (typeof raw === 'number') return createView([raw], what);
  if (isNumericContainer(raw)) return createView(raw, what, { writable: true });
  if (isGradAccessor(raw)) return gradAccessorView(raw, slot.value.size, slot.value.shape, what);
  return null;
}

/** The gradient storage the layer holds now, or null before backward has allocated one. */
function existingGradView(slot: ParamSlot): NumericView | null {
  return gradView(slot.gradContainer(), slot);
}

/** Whether the checker can write into this gradient (storage, or an accessor with `set`); numbers and functions' results are copies. */
function writableGrad(raw: unknown): boolean {
  if (typeof raw === 'number') return false;
  if (isNumericContainer(raw)) return true;
  return isGradAccessor(raw) && typeof raw.set === 'function';
}

/** The layer's gradient storage and its values before the check, to be written back afterwards (null for copies: nothing to write back). */
export function saveGrad(slot: ParamSlot, savedElsewhere: (view: NumericView) => boolean = () => false): { view: NumericView; values: Float64Array } | null {
  const raw = slot.gradContainer();
  if (!writableGrad(raw)) return null;
  const view = gradView(raw, slot);
  return view === null || savedElsewhere(view) ? null : { view, values: readAll(view) };
}

export function readGrad(slot: ParamSlot): Float64Array {
  const container = slot.gradContainer();
  if (container === undefined || container === null) {
    throw new LayerProtocolError(
      `After backward() there is no gradient for parameter '${slot.name}'. backward() must fill (or assign) the gradient of every parameter.`,
    );
  }
  const view = gradView(container, slot);
  if (view === null) {
    throw new LayerProtocolError(
      `The gradient of parameter '${slot.name}' is ${describeValue(container)}; give it as an array, a number (for a scalar), an accessor { get(i) } or a function returning one of these.`,
    );
  }
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
  slot.refreshGrads();
  const raw = slot.gradContainer();
  if (!writableGrad(raw)) return false;
  const first = gradView(raw, slot);
  if (first === null || first.size === 0) return true;
  const saved = first.get(0);
  const marker = saved === 1 ? 2 : 1;
  first.set(0, marker);
  try {
    // A second read, not the first one remembered: does it see the marker?
    slot.refreshGrads();
    const again = existingGradView(slot);
    return again !== null && again.get(0) === first.stored(marker);
  } finally {
    first.set(0, saved);
    slot.refreshGrads();
  }
}

/** The layer's gradients may have changed (a backward ran): read them anew. */
export function refreshGradReads(slots: readonly ParamSlot[]): void {
  for (const slot of slots) slot.refreshGrads();
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

/** A channel that only reads after backward: for a computed gradient's first backward, when nothing may be read (or reset) before it. */
export function readingChannel(slot: ParamSlot): GradChannel {
  return { mode: 'overwrite', prepare: () => undefined, collect: () => readGrad(slot) };
}

export function gradChannel(slot: ParamSlot, mode: GradMode): GradChannel {
  let before: Float64Array | null = null;
  return {
    mode,
    prepare() {
      if (mode === 'reset') {
        const raw = slot.gradContainer();
        const view = writableGrad(raw) ? gradView(raw, slot) : null;
        if (view !== null) zeroAll(view);
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
  computed: readonly boolean[] = slots.map(() => false),
): GradMode[] {
  return slots.map((slot, i) => {
    if (live[i] || afterSecond === null) return 'reset';
    if (bitwiseEqual(afterSecond[i], afterFirst[i])) return 'overwrite';
    // A computed gradient's first read came after a backward, so there is no value from before it to
    // compare with: two reads one backward apart that differ are a running sum, read as its increments.
    if (computed[i]) return 'accumulate';
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
export function assertGradsApart(slots: readonly ParamSlot[]): void {
  for (const slot of slots) {
    const grad = gradView(slot.gradContainer(), slot);
    if (grad === null) continue;
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

/** One input as the check sees it: a view when it is a numeric container, else why not. */
export interface InputAccess {
  /** The reported name: `input`, `input[1]`, `query`, or `input.query` when a parameter is called `query`. */
  name: string;
  /** The name the layer gave it (its key in `namedInputs`); a record of input gradients may use either. */
  givenName: string;
  view: NumericView | null;
  /** Why the input cannot be perturbed (token ids in objects, strings…), when `view` is null. */
  reason: string;
  /** `the input option`, `layer.sampleInput()`… */
  source: string;
}

/** How backward's result maps onto the inputs: one input, or one gradient per input of `inputs(…)`. */
export interface InputsAccess {
  inputs: InputAccess[];
  multiple: boolean;
}

/** The gradient of one input, checked against it; null when backward gave none for it. */
function readOneInputGradient(returned: unknown, input: InputAccess, what: string): Float64Array | null {
  if (returned === undefined || returned === null) return null;
  const inputView = input.view;
  if (inputView === null) {
    throw new LayerProtocolError(
      `backward() returned ${what} (${describeValue(returned)}), but ${input.name} from ${input.source} cannot be perturbed (${input.reason}), ` +
        `so that gradient cannot be checked. Pass a numeric input, return null for it, or set checkInput: false to check the parameters only.`,
    );
  }
  if (!isNumericContainer(returned)) {
    throw new LayerProtocolError(`backward() returned ${describeValue(returned)} as ${what}; it must be in the input's form (or nothing).`);
  }
  const view = createView(returned, `${what} returned by backward()`, { allowRagged: true });
  if (view.size !== inputView.size) {
    throw new LayerProtocolError(`backward() returned ${what} of ${view.size} entries for an input of ${inputView.size}; they must have the same shape.`);
  }
  if (inputView.ragged || view.ragged) {
    for (let i = 0; i < view.size; i++) {
      if (view.position(i).join() !== inputView.position(i).join()) {
        throw new LayerProtocolError(
          `backward() returned ${what} whose rows differ from the input's: entry ${i} sits at [${view.position(i)}] in the gradient and at [${inputView.position(i)}] in the input.`,
        );
      }
    }
  }
  return readAll(view);
}

/** The keys a record of input gradients may use for an input: its reported name and the name it was given. */
const recordKeys = (input: InputAccess): string[] => (input.givenName === input.name ? [input.name] : [input.name, input.givenName]);

const isPlainRecord = (value: unknown): value is Record<string, unknown> => isObjectRecord(value) && !isNumericContainer(value);

/** The gradient of each input from what backward returned (null where it gave none, or where inputs are not checked). */
export function readInputGradients(returned: unknown, access: InputsAccess, checkInput: boolean): (Float64Array | null)[] {
  const { inputs } = access;
  if (!checkInput || returned === undefined || returned === null) return inputs.map(() => null);
  if (!access.multiple) {
    if (inputs.length === 0) {
      throw new LayerProtocolError(`backward() returned ${describeValue(returned)}, but forward() took no input: there is no input to take a gradient of. Return nothing.`);
    }
    return [readOneInputGradient(returned, inputs[0], 'an input gradient')];
  }
  const names = inputs.map((input) => input.name);
  if (Array.isArray(returned) && returned.length === inputs.length && !returned.every((v) => typeof v === 'number')) {
    return inputs.map((input, i) => readOneInputGradient(returned[i], input, `the gradient of ${input.name}`));
  }
  if (isPlainRecord(returned)) {
    const keys = Object.keys(returned);
    const keyOf = inputs.map((input) => recordKeys(input).find((key) => keys.includes(key)));
    const unknown = keys.filter((key) => !inputs.some((input) => recordKeys(input).includes(key)));
    const missing = names.filter((_, i) => keyOf[i] === undefined);
    if (unknown.length === 0 && missing.length === 0) {
      return inputs.map((input, i) => readOneInputGradient(returned[keyOf[i] as string], input, `the gradient of ${input.name}`));
    }
    // A typo or a forgotten key would otherwise leave an input unchecked without a word.
    const quoted = (list: string[]): string => list.map((key) => `'${escapeText(key)}'`).join(', ');
    const faults = [
      ...(unknown.length > 0 ? [`with ${quoted(unknown)}, which ${unknown.length === 1 ? 'is not an input' : 'are not inputs'}`] : []),
      ...(missing.length > 0 ? [`without ${quoted(missing)}`] : []),
    ];
    throw new LayerProtocolError(
      `backward() returned a record of input gradients ${faults.join(' and ')}. The layer's inputs are ${names.map(escapeText).join(', ')}: ` +
        'key the record by exactly these names, with null for an input whose gradient is not to be checked.',
    );
  }
  // An array of as many numbers as inputs is not one gradient per input: each must be in its input's form.
  const received = Array.isArray(returned) && returned.length === inputs.length ? `an array of ${returned.length} numbers` : describeValue(returned);
  throw new LayerProtocolError(
    `backward() returned ${received}, but the layer has ${inputs.length} inputs (${names.join(', ')}): ` +
      `return one gradient per input, each in its input's form, as an array [${names.map((n) => `d${n.replace(/\W/g, '')}`).join(', ')}] (null for an input not to be checked)` +
      ' or a record keyed by the input names.',
  );
}

/** A view of the input when it is a numeric container; otherwise null and the reason (token ids in objects, strings…). */
export function inputAccess(input: unknown, source: string, name: string = INPUT_NAME, givenName: string = name): InputAccess {
  const named = { name, givenName, source };
  if (!isNumericContainer(input)) return { ...named, view: null, reason: `it is ${describeValue(input)}` };
  try {
    return { ...named, view: createView(input, name, { allowRagged: true, writable: true }), reason: '' };
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    return { ...named, view: null, reason: error.message };
  }
}
