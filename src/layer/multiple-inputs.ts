// Recognized by a registered symbol, not instanceof: the marker may come from another copy of the
// package than the matcher's (a test file's native import beside a setup file run by Vitest's runner).
const MULTIPLE_INPUTS = Symbol.for('expect-gradcheck.multiple-inputs');

/**
 * The explicit marker for a layer with several inputs: `forward(a, b, …)` is called with each value
 * as its own argument. Without the marker an array is one input, so `input: [x, y]` stays a
 * 2-row matrix and never becomes two inputs by accident.
 */
export class MultipleInputs {
  readonly [MULTIPLE_INPUTS] = true;

  /** @internal Use `inputs(…)` or `namedInputs({…})`. */
  constructor(
    readonly values: readonly unknown[],
    /** Names reported for each input's gradient (`query`, `key`…), or null for `input[0]`, `input[1]`… */
    readonly names: readonly string[] | null,
  ) {}
}

/** Several inputs, passed to `forward(a, b, …)` in order and reported as `input[0]`, `input[1]`, … */
export function inputs(...values: unknown[]): MultipleInputs {
  return new MultipleInputs(values, null);
}

/**
 * Several named inputs, passed to `forward` in the record's key order and reported under their
 * names; `backward` may return the gradients as a record with the same keys or as an array.
 */
export function namedInputs(record: Record<string, unknown>): MultipleInputs {
  return new MultipleInputs(Object.values(record), Object.keys(record));
}

/** Whether `value` is the marker of `inputs(…)` / `namedInputs({…})`, from any copy of the package. */
export function isMultipleInputs(value: unknown): value is MultipleInputs {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MULTIPLE_INPUTS] === true;
}
