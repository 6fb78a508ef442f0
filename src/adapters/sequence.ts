import { deepCopy } from '../layer/container-copy.js';
import { describeValue, escapeText } from '../layer/describe-value.js';
import { readGrad } from '../layer/gradients.js';
import { LayerProtocolError, normalizeParams, type ParamSlot } from '../layer/params.js';
import { isThenable } from '../layer/promise.js';
import type { AccessorParam, Layer, ParamList } from '../layer/protocol.js';

/** One layer of a sequence, with the name its parameters are reported under (`2.conv.W`), if any. */
export interface SequenceStage {
  name: string | null;
  layer: Layer;
}

/** A layer, or a layer with a name: `['conv', conv]` or `{ name: 'conv', layer: conv }`. */
export type StageSpec = Layer | readonly [string, Layer] | { name: string; layer: Layer };

const SEQUENCE_BRAND = Symbol.for('expect-gradcheck.sequence');

/** The prefix of a stage's tensors: `2.conv.` when named, `2.` when not. */
export const stagePrefix = (stage: SequenceStage, index: number): string => `${index}.${stage.name === null ? '' : `${escapeText(stage.name)}.`}`;

function stageOf(spec: StageSpec, index: number): SequenceStage {
  if (Array.isArray(spec)) return stageOf({ name: spec[0] as string, layer: spec[1] as Layer }, index);
  const record = spec as { name?: unknown; layer?: unknown; forward?: unknown };
  const named = typeof record.layer === 'object' && record.layer !== null && typeof record.forward !== 'function';
  const layer = (named ? record.layer : spec) as Layer;
  if (typeof layer !== 'object' || layer === null || typeof layer.forward !== 'function' || typeof layer.backward !== 'function') {
    throw new LayerProtocolError(`sequence(): layer ${index} is ${describeValue(layer)}, not a layer with forward() and backward().`);
  }
  const name = named ? record.name : (layer as { name?: unknown }).name;
  return { name: typeof name === 'string' && name !== '' ? name : null, layer };
}

/** Chains `steps` over `value`: synchronously while each returns a value, as a Promise from the first that returns one. */
function chain(value: unknown, steps: ReadonlyArray<(value: unknown) => unknown>, from = 0): unknown {
  let current = value;
  for (let i = from; i < steps.length; i++) {
    if (isThenable(current)) return Promise.resolve(current).then((settled) => chain(settled, steps, i));
    current = steps[i](current);
  }
  return current;
}

/** The parameter slots of one stage as the sequence saw them, and the backward epoch their gradients were last read in. */
interface StageSlots {
  slots: ParamSlot[];
  epoch: number;
}

/**
 * Layers composed into one: forward chains them, backward runs them in reverse, handing each the
 * gradient of the next. Its parameters are the stages' own, through accessors to their storage,
 * named by position and the stage's name. The check recognizes it: when a sequence fails, each
 * stage is checked on its own at the input it received, to name the wrong one.
 */
export class Sequence {
  readonly [SEQUENCE_BRAND] = true;
  readonly stages: readonly SequenceStage[];
  /** Counts backward calls: a stage's gradients are read once per backward (a grads() may run an update step). */
  private epoch = 0;
  /** Each stage's input in the last recorded forward (see `recordInputs`). */
  private recorded: unknown[] | null = null;

  constructor(specs: readonly StageSpec[]) {
    if (specs.length === 0) throw new LayerProtocolError('sequence() needs at least one layer.');
    this.stages = specs.map(stageOf);
    const first = this.stages[0].layer;
    // Only what the first stage has: without either, a sequence is a loss of its parameters like any layer.
    if (typeof first.sampleInput === 'function') Object.defineProperty(this, 'sampleInput', { value: () => first.sampleInput?.(), enumerable: false });
    if (first.inputShape !== undefined) Object.defineProperty(this, 'inputShape', { get: () => first.inputShape, enumerable: false });
  }

  get params(): ParamList {
    return this.stages.flatMap((stage, index) => {
      const own: StageSlots = { slots: normalizeParams(stage.layer), epoch: this.epoch };
      return own.slots.map((slot): AccessorParam => ({
        name: `${stagePrefix(stage, index)}${slot.name}`,
        get: (i) => slot.value.get(i),
        set: (i, v) => slot.value.set(i, v),
        shape: slot.value.shape,
        grad: () => {
          // One read of a stage's gradients per backward, shared by its tensors.
          if (own.epoch !== this.epoch) {
            own.slots[0].refreshGrads();
            own.epoch = this.epoch;
          }
          return readGrad(slot);
        },
      }));
    });
  }

  forward(...input: unknown[]): unknown {
    const [first, ...rest] = this.stages;
    const record = this.recorded;
    if (record !== null) record.push(input.length === 1 ? deepCopy(input[0]) : input.map(deepCopy));
    const steps = rest.map((stage) => (value: unknown) => {
      if (record !== null) record.push(deepCopy(value));
      return stage.layer.forward(value);
    });
    return chain(first.layer.forward(...input), steps);
  }

  backward(gradOutput: unknown): unknown {
    this.epoch++;
    const last = this.stages.length - 1;
    const steps = this.stages
      .map((stage, index) => ({ stage, index }))
      .reverse()
      .map(({ stage, index }) => (gradient: unknown) => {
        if (index < last && (gradient === undefined || gradient === null)) {
          throw new LayerProtocolError(`sequence(): layer ${index + 1} returned no input gradient from backward(), so layer ${index} gets none. Return the gradient of its input.`);
        }
        return stage.layer.backward(gradient);
      });
    return chain(gradOutput, steps);
  }

  /** Runs forward at `input`, keeping a copy of what each stage received; the copies, in stage order (a Promise for async stages). */
  recordInputs(...input: unknown[]): unknown[] | Promise<unknown[]> {
    const recorded: unknown[] = [];
    this.recorded = recorded;
    let output: unknown;
    try {
      output = this.forward(...input);
    } finally {
      if (!isThenable(output)) this.recorded = null;
    }
    if (!isThenable(output)) return recorded;
    return Promise.resolve(output).then(
      () => recorded,
      (error: unknown) => {
        throw error;
      },
    ).finally(() => {
      this.recorded = null;
    });
  }
}

/**
 * Composes layers into one protocol layer: `sequence(dense, relu, ['conv', conv], mse)`. Check it
 * like any layer; when it fails, the report names the layer whose backward is wrong.
 */
export function sequence(...layers: StageSpec[]): Sequence {
  return new Sequence(layers);
}

export function isSequence(value: unknown): value is Sequence {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SEQUENCE_BRAND] === true;
}
