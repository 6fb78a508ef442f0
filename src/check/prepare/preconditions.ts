import type { Dtype } from '../../engine/dtype.js';
import { InputError, type ResolvedInput } from '../../layer/input.js';
import type { InputAccess } from '../../layer/gradients.js';
import { readAll } from '../../layer/numeric-view.js';
import type { OutputForm } from '../../layer/output.js';
import type { ParamSlot } from '../../layer/params.js';
import { OptionsError, type ValidatedOptions } from '../options.js';
import { entryLabel, formatPosition } from '../../engine/position-text.js';

/**
 * What must hold before any finite difference means something: a dtype the storage can honour, a
 * finite input, a finite output at the unperturbed point. Each failure is a usage error that names
 * what was wrong and where it came from, never a "0 of 0 entries disagree" report.
 */

/** float32 storage anywhere makes the layer float32; forcing float64 onto it could only fail correct layers. */
export function resolveDtype(requested: ValidatedOptions['dtype'], slots: ParamSlot[], inputs: readonly InputAccess[], form: OutputForm): Dtype {
  const float32Storage = [
    ...slots.filter((slot) => slot.value.float32).map((slot) => `parameter '${slot.name}'`),
    ...inputs.filter((input) => input.view?.float32 === true).map((input) => (input.name === 'input' ? 'the input' : `input '${input.name}'`)),
    ...(form.float32 ? ['the output of forward()'] : []),
  ];
  if (requested === 'float64' && float32Storage.length > 0) {
    throw new OptionsError(
      `dtype: 'float64' was given, but ${float32Storage[0]} is stored in a Float32Array, which rounds every perturbation to float32: ` +
        "float64 steps and tolerances cannot be met, so correct layers would fail. Omit dtype (float32 is detected from the storage) or store the layer in Float64Array.",
    );
  }
  if (requested !== 'auto') return requested;
  return float32Storage.length > 0 ? 'float32' : 'float64';
}

function describeInput(input: ResolvedInput, inputs: readonly InputAccess[]): string {
  if (inputs.length === 0) return 'no input';
  const forms = inputs.map(({ view }) => (view === null ? '' : view.ragged ? `ragged, ${view.size} entries` : `shape ${formatPosition(view.shape)}`));
  if (!input.multiple) return `the input from ${input.source}${forms[0] === '' ? '' : ` (${forms[0]})`}`;
  return `the inputs from ${input.source} (${inputs.map((access, i) => `${access.name}${forms[i] === '' ? '' : `: ${forms[i]}`}`).join('; ')})`;
}

export function assertFiniteInputs(inputs: readonly InputAccess[], input: ResolvedInput): void {
  for (const access of inputs) {
    const { view } = access;
    if (view === null) continue;
    const values = readAll(view);
    const at = values.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) {
      throw new InputError(
        `${describeInput(input, inputs)} holds ${values[at]} at ${entryLabel(access.name, view.position(at))}; gradients cannot be checked at a non-finite input. Pass finite values.`,
      );
    }
  }
}

export function assertFiniteOutput(output: Float64Array, form: OutputForm, input: ResolvedInput, inputs: readonly InputAccess[]): void {
  const at = output.findIndex((v) => !Number.isFinite(v));
  if (at < 0) return;
  const where = form.scalar ? 'a loss of' : `${output[at]} at ${entryLabel('output', form.position(at))} for`;
  throw new InputError(
    `forward() returned ${form.scalar ? `${where} ${output[at]} for` : where} ${describeInput(input, inputs)}, before any perturbation. ` +
      'Either the input does not fit the layer (check its shape and values) or forward is not finite there (log of 0, 0/0, an overflowing exp). ' +
      'No gradient can be checked at a non-finite output.',
  );
}
