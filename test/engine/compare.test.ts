import { describe, expect, it } from 'vitest';
import type { DerivativeEstimate } from '../../src/engine/central-difference.js';
import { judgeEntry } from '../../src/engine/compare.js';

const smooth = (numeric: number, errorEstimate = 0): DerivativeEstimate => ({
  numeric,
  errorEstimate,
  truncationError: 0,
  roundingError: errorEstimate,
  sampleNoise: 0,
  kinkSlack: errorEstimate,
  stepUsed: 1e-5,
  kink: null,
  slopes: { forward: numeric, backward: numeric },
});

describe('judgeEntry', () => {
  it('passes within tolerance·max(|a|,|n|) + errorEstimate and fails just outside', () => {
    expect(judgeEntry(1.0000009, smooth(1), 1e-6).pass).toBe(true);
    expect(judgeEntry(1.0000011, smooth(1), 1e-6).pass).toBe(false);
    expect(judgeEntry(1.0000011, smooth(1, 2e-7), 1e-6).pass).toBe(true);
    expect(judgeEntry(1.0000011, smooth(1), 1e-6)).toMatchObject({ kind: 'mismatch', allowed: 1.0000011e-6 });
  });

  it('calls an entry resolved only when its error bar fits inside the tolerance', () => {
    expect(judgeEntry(1, smooth(1, 5e-7), 1e-6)).toMatchObject({ pass: true, resolved: true });
    expect(judgeEntry(1, smooth(1, 2e-6), 1e-6)).toMatchObject({ pass: true, resolved: false });
  });

  it('passes exact zeros and fails a nonzero analytic against a zero numeric without error slack', () => {
    expect(judgeEntry(0, smooth(0), 1e-6).pass).toBe(true);
    expect(judgeEntry(1e-12, smooth(0), 1e-6).pass).toBe(false);
  });

  it('accepts any subgradient inside a kink interval, and fails one outside', () => {
    const kink: DerivativeEstimate = { ...smooth(0.5), kink: { lower: 0, upper: 1 } };
    expect(judgeEntry(0, kink, 1e-6)).toMatchObject({ pass: true, kind: 'kink' });
    expect(judgeEntry(0.3, kink, 1e-6)).toMatchObject({ pass: true, kind: 'kink' });
    expect(judgeEntry(2, kink, 1e-6)).toMatchObject({ pass: false, kind: 'kink-outside', error: 1, reference: 1 });
  });

  it('fails non-finite values with an infinite error, never NaN', () => {
    expect(judgeEntry(NaN, smooth(1), 1e-6)).toMatchObject({ pass: false, kind: 'non-finite', error: Infinity });
    expect(judgeEntry(1, smooth(Infinity), 1e-6)).toMatchObject({ pass: false, kind: 'non-finite', error: Infinity });
  });
});
