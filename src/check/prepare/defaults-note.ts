import type { Dtype } from '../../engine/dtype.js';
import { autoStep } from '../../engine/step-size.js';
import type { ValidatedOptions } from '../options.js';

/** Which step and tolerance applied and where they came from, e.g. `float32 defaults (epsilon auto = 4.9e-3·max(1, |θ|), tolerance 0.01)`. */
export function defaultsNote(dtype: Dtype, options: ValidatedOptions, tolerance: number): string {
  const short = (x: number): string => (x >= 1e-3 && x < 1e4 ? String(x) : x.toExponential().replace('e+', 'e'));
  const epsilon = options.epsilon === 'auto' ? `epsilon auto = ${autoStep(1, dtype).toExponential(1)}·max(1, |θ|)` : `epsilon ${short(options.epsilon)}`;
  const values = `${epsilon}, tolerance ${short(tolerance)}`;
  if (options.epsilon === 'auto' && options.tolerance === undefined) return `${dtype} defaults (${values})`;
  // Each value says where it came from: "tolerance 0.01 (epsilon given)" read as if one set the other.
  const origin = (given: boolean): string => (given ? 'given' : 'default');
  return `${dtype}, ${epsilon} (${origin(options.epsilon !== 'auto')}), tolerance ${short(tolerance)} (${origin(options.tolerance !== undefined)})`;
}
