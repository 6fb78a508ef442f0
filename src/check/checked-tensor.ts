import type { NumericView } from '../layer/numeric-view.js';

/** Gradients read after one backward run: one array per parameter, and the input gradient if any. */
export interface BackwardGradients {
  params: Float64Array[];
  input: Float64Array | null;
}

/** A tensor under check: where its values live and the analytic gradient of the main backward run. */
export interface CheckedTensor {
  name: string;
  view: NumericView;
  analytic: Float64Array;
  /** Picks this tensor's gradient out of one backward run. */
  pick(gradients: BackwardGradients): Float64Array | null;
}
