import { describe, expect, it } from 'vitest';
import { OptionsError } from '../../src/check/options.js';
import { resolveDtype } from '../../src/check/preconditions.js';
import { createView } from '../../src/layer/numeric-view.js';
import type { OutputForm } from '../../src/layer/output.js';
import type { ParamSlot } from '../../src/layer/params.js';

const slot = (name: string, value: Float64Array | Float32Array): ParamSlot => ({ name, value: createView(value, name), gradContainer: () => null });
const output = (float32: boolean): OutputForm => ({ scalar: false, size: 2, shape: [2], float32, position: (i) => [i] });

describe('resolveDtype', () => {
  it('detects float32 from any parameter, the input or the output', () => {
    expect(resolveDtype('auto', [slot('W', new Float64Array(2))], null, output(false))).toBe('float64');
    expect(resolveDtype('auto', [slot('W', new Float32Array(2))], null, output(false))).toBe('float32');
    expect(resolveDtype('auto', [], createView(new Float32Array(2), 'input'), output(false))).toBe('float32');
    expect(resolveDtype('auto', [], null, output(true))).toBe('float32');
  });

  it('honours a forced float32 on float64 storage, and refuses float64 forced on float32 storage, naming it', () => {
    expect(resolveDtype('float32', [slot('W', new Float64Array(2))], null, output(false))).toBe('float32');
    expect(() => resolveDtype('float64', [slot('b', new Float32Array(2))], null, output(false))).toThrow(OptionsError);
    expect(() => resolveDtype('float64', [], null, output(true))).toThrow("the output of forward() is stored in a Float32Array");
  });
});
