import { isSequence, stagePrefix, type Sequence, type SequenceStage } from '../../adapters/sequence.js';
import { MultipleInputs } from '../../layer/multiple-inputs.js';
import type { Layer } from '../../layer/protocol.js';
import { BudgetExhausted, createBudget, type Budget } from '../budget.js';
import type { Clock } from '../clock.js';
import type { CheckContext } from '../context.js';
import { call, type CheckProcess } from '../layer-call.js';
import type { ValidatedOptions } from '../options.js';
import type { GradientReport, LayerAttribution } from '../report-types.js';
import { attributedDiagnoses } from './through-layer.js';

/** The check itself, handed in by check-process.ts (which this phase may not import: it imports this phase). */
export type CheckOf = (layer: Layer, options: ValidatedOptions, clock: Clock, budget: Budget) => CheckProcess<GradientReport>;

const isInputName = (name: string): boolean => name === 'input' || name.startsWith('input[') || name.startsWith('input.');

/** Stage 0 gets the sequence's own input; every later stage the copy of what it received. */
function stageInput(check: CheckContext, index: number, recorded: readonly unknown[]): { input: unknown; hasInput: boolean } {
  if (index > 0) return { input: recorded[index], hasInput: true };
  const { values, names, multiple } = check.input;
  if (values.length === 0) return { input: undefined, hasInput: false };
  if (!multiple) return { input: values[0], hasInput: true };
  const generic = names.every((name, i) => name === `input[${i}]`);
  return { input: new MultipleInputs(values, generic ? null : names), hasInput: true };
}

/** A `gradientFactor` record keyed by the sequence's names, for one stage: its keys without the stage's prefix. */
function stageFactor(factor: ValidatedOptions['gradientFactor'], prefix: string, index: number): ValidatedOptions['gradientFactor'] {
  if (factor === null || typeof factor === 'number') return factor;
  const own: Record<string, number> = {};
  for (const [key, value] of Object.entries(factor)) {
    if (key.startsWith(prefix)) own[key.slice(prefix.length)] = value;
    else if (index === 0 && isInputName(key)) own[key] = value;
  }
  return Object.keys(own).length === 0 ? null : own;
}

function stageOptions(check: CheckContext, stage: SequenceStage, index: number, recorded: readonly unknown[]): ValidatedOptions {
  const { input, hasInput } = stageInput(check, index, recorded);
  return {
    ...check.options,
    input,
    hasInput,
    // A later stage's input is the previous stage's output: its gradient is what flows back, so it is always checked.
    checkInput: index === 0 ? check.options.checkInput && hasInput : true,
    shard: null,
    onProgress: undefined,
    gradientFactor: stageFactor(check.options.gradientFactor, stagePrefix(stage, index), index),
  };
}

function attributionOf(stage: SequenceStage, index: number, report: GradientReport): LayerAttribution {
  const prefix = stagePrefix(stage, index);
  const inputs = report.tensors.filter((t) => isInputName(t.name));
  const wrongInput = inputs.some((t) => !t.pass);
  return {
    index,
    name: stage.name,
    prefix,
    verdict: report.verdict,
    tensors: report.tensors.filter((t) => !t.pass).map((t) => `${prefix}${t.name}`),
    inputGradient: inputs.length === 0 ? 'none' : wrongInput ? 'wrong' : 'ok',
    report,
  };
}

/**
 * After a sequence's check failed: each layer checked on its own at the input it received in the
 * composed forward (its input gradient included), to name the wrong layer. A layer whose input
 * gradient is wrong corrupts every parameter gradient before it in the composed check; its own
 * check clears them. Paid only on failure; each layer's check has its own budget (the options'),
 * within what is left of the time guard.
 */
export function* attributeLayers(check: CheckContext, report: GradientReport, checkOf: CheckOf): CheckProcess<GradientReport> {
  if (!isSequence(check.layer) || report.verdict !== 'fail' || check.stop !== null) return report;
  const sequence: Sequence = check.layer;
  let recorded: unknown[];
  try {
    recorded = (yield call('forward()', () => sequence.recordInputs(...check.input.values))) as unknown[];
  } catch (error) {
    if (error instanceof BudgetExhausted) return report;
    throw error;
  }
  const layers: LayerAttribution[] = [];
  for (const [index, stage] of sequence.stages.entries()) {
    const options = stageOptions(check, stage, index, recorded);
    const limits = { ...check.budget.limits, maxEvaluations: options.maxEvaluations, maxSeconds: Math.max(0, check.budget.limits.maxSeconds - check.budget.elapsed()) };
    const budget = createBudget(limits, check.clock);
    try {
      const own = yield* check.budget.within(budget, checkOf(stage.layer, options, check.clock, budget));
      layers.push(attributionOf(stage, index, own));
    } catch (error) {
      // A layer that cannot be checked alone (its own check threw, and put it back) is named, not guessed at.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      layers.push({ index, name: stage.name, prefix: stagePrefix(stage, index), verdict: 'impossible', tensors: [], inputGradient: 'none', report: null, error: message });
    }
  }
  return { ...report, layers, diagnoses: attributedDiagnoses(report, layers) };
}
