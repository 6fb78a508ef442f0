import { describe, expect, it } from 'vitest';
import { OptionsError } from '../../../src/check/options.js';
import { resolveDtype } from '../../../src/check/prepare/preconditions.js';
import { createView } from '../../../src/layer/numeric-view.js';
import { inputAccess } from '../../../src/layer/gradients.js';
import type { OutputForm } from '../../../src/layer/output.js';
import type { ParamSlot } from '../../../src/layer/params.js';

const slot = (name: string, value: Float64Array | Float32Array): ParamSlot => ({ name, value: createView(value, name), gradContainer: () => null, refreshGrads: () => {}, gradIsComputed: false });
const output = (float32: boolean): OutputForm => ({ scalar: false, size: 2, shape: [2], float32, position: (i) => [i] });

describe('resolveDtype', () => {
  it('detects float32 from any parameter, the input or the output', () => {
    expect(resolveDtype('auto', [slot('W', new Float64Array(2))], [], output(false))).toBe('float64');
    expect(resolveDtype('auto', [slot('W', new Float32Array(2))], [], output(false))).toBe('float32');
    expect(resolveDtype('auto', [], [inputAccess(new Float32Array(2), 'the input option')], output(false))).toBe('float32');
    expect(resolveDtype('auto', [], [], output(true))).toBe('float32');
  });

  it('honours a forced float32 on float64 storage, and refuses float64 forced on float32 storage, naming it', () => {
    expect(resolveDtype('float32', [slot('W', new Float64Array(2))], [], output(false))).toBe('float32');
    expect(() => resolveDtype('float64', [slot('b', new Float32Array(2))], [], output(false))).toThrow(OptionsError);
    expect(() => resolveDtype('float64', [], [], output(true))).toThrow("the output of forward() is stored in a Float32Array");
    expect(() => resolveDtype('float64', [], [inputAccess([1], 's'), inputAccess(new Float32Array(2), 's', 'key')], output(false))).toThrow(
      "input 'key' is stored in a Float32Array",
    );
  });
});
