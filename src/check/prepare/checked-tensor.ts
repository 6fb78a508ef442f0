import type { NumericView } from '../../layer/numeric-view.js';

/** Gradients read after one backward run: one array per parameter, and per input its gradient if any. */
export interface BackwardGradients {
  params: Float64Array[];
  inputs: (Float64Array | null)[];
}

/** A tensor under check: where its values live and the analytic gradient of the main backward run. */
export interface CheckedTensor {
  name: string;
  view: NumericView;
  /** The declared gradient convention: backward gives this multiple of the true gradient (1 when none was declared). `analytic` is already divided by it. */
  gradientFactor: number;
  analytic: Float64Array;
  /** Picks this tensor's gradient out of one backward run. */
  pick(gradients: BackwardGradients): Float64Array | null;
}
