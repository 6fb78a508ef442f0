/**
 * Nasty but correct: an activation with no parameters, evaluated where every input drives it deep
 * into saturation, so every gradient is tiny next to the outputs and no finite difference resolves
 * any of them (the absolute scale must then come from the outputs):
 * - `saturated-tanh-everywhere` (float64): |x| ∈ [12, 20], 1 − tanh² ≤ 2e-10;
 * - `saturated-sigmoid-everywhere` (float32): |x| ∈ [10, 14], σ′ ≤ 5e-5, which float32's finite
 *   differences (about 1e-3 of noise here) cannot resolve.
 * Backward takes the slope from the output it returned, as frameworks do. The bug multiplies the
 * slope by 3: far below any finite difference's resolution, so no check can see it (the corpus runs
 * correct cases only; a bug must be visible to be planted).
 */
import type { Layer } from '../../../src/layer/protocol.js';
import type { Dtype, ZooEntry } from '../types.js';
import { createRng, flatten, pack, sigmoid } from '../advanced/util.js';

export type Saturating = 'tanh' | 'sigmoid';

/** Deep-saturation inputs of one sign pattern, exact in float32. */
function saturatedInputs(activation: Saturating): number[] {
  const rng = createRng(activation === 'tanh' ? 1212 : 1818);
  const [low, high] = activation === 'tanh' ? [12, 20] : [10, 14];
  return Array.from({ length: 12 }, () => Math.fround((rng.next() < 0.5 ? -1 : 1) * (low + (high - low) * rng.next())));
}

export class SaturatedActivation implements Layer {
  private y: Float64Array = new Float64Array(0);
  constructor(
    private readonly dtype: Dtype,
    private readonly activation: Saturating,
    private readonly inputValues: number[] = saturatedInputs(activation),
  ) {}

  sampleInput(): unknown {
    return pack('nested', this.dtype, this.inputValues, [3, 4]);
  }

  forward(input: unknown): unknown {
    const apply = this.activation === 'tanh' ? Math.tanh : sigmoid;
    const values = Array.from(flatten(input), apply);
    const packed = pack('nested', this.dtype, values, [3, 4]);
    // The slope comes from the output as returned: float32 rounding of y is part of the layer.
    this.y = flatten(packed);
    return packed;
  }

  backward(gradOutput: unknown): unknown {
    const g = flatten(gradOutput);
    const slope = (y: number): number => (this.activation === 'tanh' ? 1 - y * y : y * (1 - y));
    return pack('nested', this.dtype, g.map((v, i) => v * slope(this.y[i])), [3, 4]);
  }
}

export const saturatedEverywhereZoo: ZooEntry[] = [
  { name: 'saturated-tanh-everywhere', nasty: true, dtypes: ['float64'], make: (dtype) => new SaturatedActivation(dtype, 'tanh'), bugs: [] },
  { name: 'saturated-sigmoid-everywhere', nasty: true, dtypes: ['float32'], make: (dtype) => new SaturatedActivation(dtype, 'sigmoid'), bugs: [] },
];
