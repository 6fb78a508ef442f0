import type { Dtype } from '../engine/dtype.js';
import type { BackwardGradients, CheckedTensor } from './checked-tensor.js';
import { formatPosition } from './position-text.js';
import type { Problem } from './report-types.js';

/** backward must be linear in its upstream gradient; scaling by 2 is exact in binary floating point. */
const LINEARITY_TOLERANCE: Record<Dtype, number> = { float64: 1e-10, float32: 1e-5 };

/** backward(2r) must equal 2·backward(r) and backward(0) must be 0: a gradient that ignores r fails this for every r. */
export function checkLinearity(
  tensors: CheckedTensor[],
  doubled: BackwardGradients,
  zero: BackwardGradients,
  dtype: Dtype,
  problems: Problem[],
): void {
  for (const tensor of tensors) {
    const twice = tensor.pick(doubled);
    const none = tensor.pick(zero);
    if (twice === null || none === null) {
      problems.push({
        kind: 'backward-not-linear',
        severity: 'failure',
        tensor: tensor.name,
        message: `backward() returned an input gradient for one upstream gradient and none for another; it must always return one.`,
      });
      continue;
    }
    let scale = 0;
    for (const v of tensor.analytic) scale = Math.max(scale, Math.abs(v));
    const slack = LINEARITY_TOLERANCE[dtype] * scale;
    const notLinear = (index: number, describe: (entry: string) => string): Problem => {
      const position = tensor.view.position(index);
      return {
        kind: 'backward-not-linear',
        severity: 'failure',
        tensor: tensor.name,
        position,
        message: `The gradient of '${tensor.name}' ${describe(`${tensor.name}${formatPosition(position)}`)}`,
      };
    };
    for (let i = 0; i < tensor.analytic.length; i++) {
      if (Math.abs(none[i]) > slack || Number.isNaN(none[i])) {
        problems.push(
          notLinear(
            i,
            (entry) =>
              `is not zero for a zero upstream gradient: at ${entry} backward(0) gives ${none[i]}. ` +
              'Either the multiply by the upstream gradient is missing, or backward adds a term of its own (weight decay, a regularizer) that belongs in the loss.',
          ),
        );
        break;
      }
      if (Math.abs(twice[i] - 2 * tensor.analytic[i]) > slack || Number.isNaN(twice[i])) {
        problems.push(
          notLinear(
            i,
            (entry) =>
              `is not linear in the upstream gradient: at ${entry} backward(r) gives ${tensor.analytic[i]} but backward(2r) gives ${twice[i]}. ` +
              'Is the chain-rule multiply by the upstream gradient missing?',
          ),
        );
        break;
      }
    }
  }
}
