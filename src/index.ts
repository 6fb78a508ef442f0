export { AsyncLayerError, CheckAbandoned, checkGradients, checkGradientsAsync, LayerStateError } from './check/check-gradients.js';
export type { CheckProgress } from './check/sweep/progress.js';
export type { GradientCheckOptions } from './check/options.js';
export { DEFAULT_SEED, DEFAULT_TOLERANCE } from './check/options.js';
export type {
  CheckMode,
  EntryFailure,
  ErrorBand,
  GradientReport,
  Diagnosis,
  DiagnosisKind,
  InconclusiveExplanation,
  JointKinkFailure,
  KinkEntry,
  LayerAttribution,
  Problem,
  BudgetStop,
  TensorCoverage,
  TensorReport,
  UnresolvedEntry,
  UnresolvedGroup,
} from './check/report-types.js';
export type {
  AccessorParam,
  ArrayAccessorParam,
  GradAccessor,
  GradSource,
  Layer,
  NumericContainer,
  ParamList,
  ParamRecord,
  ParamStorage,
  ParamsForm,
  PropertyParam,
  RegisteredTensorClasses,
  TensorLike,
} from './layer/protocol.js';
export { inputs, namedInputs, MultipleInputs } from './layer/multiple-inputs.js';
export { registerTensorClass, type TensorClass } from './layer/tensor-class.js';
export { diffLines, formatReport, failureDiff, type FormatOptions } from './report/format-report.js';
export { reportToJSON } from './report/to-json.js';
export { reportChecksTo } from './report/ci-report.js';
export { checkGradientsAcross, checkGradientsAcrossAsync, type Builder } from './across/check-across.js';
export type { AcrossOptions, AcrossResult, AcrossVerdict, ArbitraryLike, Built, CandidateSpace, Config, Counterexample, FastCheckModule, TriedConfig } from './across/across-types.js';
export { acrossToJSON, formatAcrossReport } from './report/format-across.js';
export { sequence, Sequence, type SequenceStage, type StageSpec } from './adapters/sequence.js';
export {
  fromTfjs,
  type TfjsGradients,
  type TfjsInput,
  type TfjsLayer,
  type TfjsLayerSpec,
  type TfjsNamespace,
  type TfjsReadback,
  type TfjsTensor,
  type TfjsValues,
  type TfjsVariable,
} from './adapters/tfjs.js';
export { matchers, jestMatchers } from './matchers/index.js';
export { failUnawaitedChecks, type EachHooks } from './matchers/unawaited-hook.js';
export type { AcrossMatcherResult, AsymmetricGradientMatchers, GradientMatcherResult, GradientMatchers, IsAsyncLayer } from './matchers/types.js';
