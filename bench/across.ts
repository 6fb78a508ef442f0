/**
 * Checks across shapes (issue 18): for each planted shape-dependent bug of the zoo, the time and
 * the calls to find it and shrink it to its smallest failing configuration, beside the time the
 * correct layer takes to pass the whole space. Fastest of a few runs each (see timing.ts).
 */
import { describeConfig } from '../src/across/config-text.js';
import { shapeCases } from '../test/zoo/shapes/index.js';
import { checkGradientsAcross } from './package-under-test.js';
import { fastest } from './timing.js';

export interface AcrossRow {
  name: string;
  space: number;
  /** The bug: found, shrunk to the zoo's smallest configuration? */
  shrunkTo: string;
  minimal: boolean;
  found: boolean;
  findSeconds: number;
  findConfigs: number;
  findCalls: number;
  /** The correct layer across the whole space. */
  passSeconds: number;
  passConfigs: number;
  passCalls: number;
}

export function acrossRows(repeats: number): AcrossRow[] {
  return shapeCases.map((shape) => {
    const buggy = fastest(repeats, () => checkGradientsAcross((config) => shape.build(config, true), shape.space));
    const correct = fastest(repeats, () => checkGradientsAcross((config) => shape.build(config, false), shape.space));
    const found = buggy.value.counterexample;
    return {
      name: shape.name,
      space: buggy.value.spaceSize ?? 0,
      shrunkTo: found === null ? 'nothing' : describeConfig(found.config),
      minimal: found?.minimal === true,
      found: found !== null && JSON.stringify(found.config) === JSON.stringify(shape.smallest),
      findSeconds: buggy.seconds,
      findConfigs: buggy.value.tried.length,
      findCalls: buggy.value.evaluations,
      passSeconds: correct.seconds,
      passConfigs: correct.value.explored,
      passCalls: correct.value.evaluations,
    };
  });
}
