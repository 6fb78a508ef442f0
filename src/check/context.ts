import type { Dtype } from '../engine/dtype.js';
import type { GradChannel, InputsAccess } from '../layer/gradients.js';
import type { ResolvedInput } from '../layer/input.js';
import type { OutputForm } from '../layer/output.js';
import type { ParamSlot } from '../layer/params.js';
import type { Layer } from '../layer/protocol.js';
import type { Budget, BudgetStop } from './budget.js';
import type { Clock } from './clock.js';
import type { ValidatedOptions } from './options.js';
import type { CheckedTensor } from './prepare/checked-tensor.js';
import type { CallCounts, Evaluation } from './prepare/evaluation.js';
import type { CheckMode, GradientReport, Problem } from './report-types.js';
import type { ProgressTracker } from './sweep/progress.js';
import type { SweepContext } from './sweep/sweep-context.js';
import type { TensorRecord } from './sweep/tensor-record.js';

/**
 * Everything one check knows, shared by its phases (see check-process.ts). Prepare creates it with
 * what the first forward call tells; each later phase fills the fields under its name, and reads
 * only fields that earlier phases filled. What a phase hands to the next alone (the plan, the
 * resolved tensors, the diagnoses) is passed as a value instead.
 */
export interface CheckContext {
  readonly layer: Layer;
  readonly slots: ParamSlot[];
  readonly options: ValidatedOptions;
  readonly clock: Clock;
  /** Clock reading when the check began. */
  readonly started: number;
  /** Every call into the layer passes through it (see budget.ts). */
  readonly budget: Budget;
  /** Set when the budget stopped the check: no further call is made, and what was reached is reported. */
  stop: BudgetStop | null;

  // prepare
  /** The check's own copies of the inputs (at their original values between measurements), and where they came from. */
  readonly input: ResolvedInput;
  readonly inputs: InputsAccess;
  readonly form: OutputForm;
  readonly dtype: Dtype;
  readonly tolerance: number;
  readonly settings: GradientReport['settings'];
  /** Forward and backward calls at the unperturbed point, the projected loss, the determinism watch. */
  readonly evaluation: Evaluation;
  readonly calls: CallCounts;
  /** Problems found by any phase; an `impossible` one ends the check (see check-process.ts). */
  readonly problems: Problem[];
  readonly progress: ProgressTracker;
  /** What measuring needs; its gradient scale and deadline are set by probe-and-plan. */
  readonly sweep: SweepContext;
  /** Which mode ran and why (filled by probe-and-plan; says "not reached" until then). */
  mode: CheckMode;

  // analytic gradients
  /** Parameters, then inputs with a gradient, each with backward's gradient at the projection. */
  tensors: CheckedTensor[];
  /** How each parameter's gradient is read after a backward call. */
  channels: GradChannel[];
  /** Tensors whose backward adds to a sum it never resets (evidence for the diagnosis). */
  accumulating: Set<string>;

  // probe and plan
  /** What the sweep learns per tensor, over the entries in this check's scope (its shard). */
  records: TensorRecord[];
  /** Whether the sweep's gradient scale came from resolved gradients or, none resolved, from the outputs (see GradientReport). */
  gradientScaleFrom: GradientReport['gradientScaleFrom'];
  /** For mode 'auto' with too small a budget: about how many calls screening every entry to its guarantee needs. */
  neededEvaluations: number | null;
}
