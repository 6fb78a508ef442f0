/**
 * The shared shape of the zoo's elementwise activations on a flat input: forward applies `value`
 * to every entry and caches the input; backward applies `inputGradient` to every entry. Subclasses
 * state only the function, its (possibly buggy) derivative and their input.
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype } from '../types.js';
import { checkBug, flatten, pack, type BugSpec } from './util.js';

export abstract class ElementwiseActivation implements Layer {
  private x: Float64Array | null = null;

  protected constructor(
    private readonly label: string,
    private readonly form: 'plain' | 'typed',
    protected readonly dtype: Dtype,
    protected readonly bug: string | undefined,
    bugs: readonly BugSpec[],
    private readonly inputValues: number[],
  ) {
    checkBug(bug, bugs);
  }

  /** The activation at x. */
  protected abstract value(x: number): number;

  /** dL/dx at x for an upstream gradient g, with this layer's bug, if any. */
  protected abstract inputGradient(x: number, g: number): number;

  sampleInput(): unknown {
    return pack(this.form, this.dtype, this.inputValues, [this.inputValues.length]);
  }

  forward(input: unknown): unknown {
    const x = flatten(input);
    this.x = x;
    return pack(this.form, this.dtype, x.map((v) => this.value(v)), [x.length]);
  }

  backward(gradOutput: unknown): unknown {
    if (this.x === null) throw new Error(`${this.label}: backward before forward`);
    const g = flatten(gradOutput);
    return pack(this.form, this.dtype, this.x.map((v, i) => this.inputGradient(v, g[i])), [this.x.length]);
  }
}
