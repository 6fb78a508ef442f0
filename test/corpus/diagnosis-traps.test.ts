/**
 * Diagnoses that would mislead: each trap layer's bug looks like another mistake's pattern. The
 * report must fail on the right tensors, never make the misleading claim, make the one the evidence
 * supports, and keep its counts consistent.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import type { Diagnosis } from '../../src/check/report-types.js';
import { formatReport } from '../../src/report/format-report.js';
import { diagnosisTraps, type DiagnosisPattern } from '../zoo/protocol/diagnosis-traps.js';
import { countErrors } from './run-corpus.js';

const matches = (d: Diagnosis, pattern: DiagnosisPattern): boolean =>
  d.tensor === pattern.tensor &&
  (pattern.kind === undefined || d.kind === pattern.kind) &&
  (pattern.suggestsGradientFactor === undefined || d.gradientFactor !== undefined) &&
  (pattern.says === undefined || d.message.includes(pattern.says)) &&
  (pattern.factor === undefined || (d.factor !== undefined && Math.abs(d.factor - pattern.factor) <= 1e-12 * Math.abs(pattern.factor)));

const show = (diagnoses: Diagnosis[]): string[] => diagnoses.map((d) => `${d.tensor}:${d.kind}${d.factor === undefined ? '' : ` ${d.factor}`}${d.gradientFactor === undefined ? '' : ' (declare)'}`);

describe('diagnosis traps', () => {
  it.each(diagnosisTraps.map((t) => [t.name, t] as const))('%s', (_name, trap) => {
    const report = checkGradients(trap.make(), trap.options ?? {});
    expect(report.verdict).toBe('fail');
    expect(countErrors(report)).toEqual([]);
    expect(report.tensors.filter((t) => !t.pass).map((t) => t.name)).toEqual(trap.wrongTensors);
    if (trap.failingEntries !== undefined) expect(report.tensors.reduce((n, t) => n + t.failures.length, 0)).toBe(trap.failingEntries);
    expect(report.tensors.some((t) => t.name.startsWith('params.'))).toBe(false);
    const misled = report.diagnoses.filter((d) => trap.misleading.some((pattern) => matches(d, pattern)));
    expect(show(misled)).toEqual([]);
    for (const pattern of trap.expected) expect(show(report.diagnoses.filter((d) => matches(d, pattern)))).toHaveLength(1);
    // The text says what the data says, and nothing the data does not.
    const text = formatReport(report);
    for (const d of report.diagnoses) expect(text).toContain(d.message);
    if (trap.misleading.some((p) => p.suggestsGradientFactor)) expect(text).not.toContain('gradientFactor');
  });

  it('covers every misleading diagnosis the issue lists', () => {
    const forbidden = new Set(diagnosisTraps.flatMap((t) => t.misleading.map((p) => p.kind ?? (p.suggestsGradientFactor ? 'gradientFactor' : p.says ?? p.tensor))));
    expect([...forbidden].sort()).toEqual(['batch-row', 'gradientFactor', 'kink-side', 'params.input', 'single-entry', 'transpose', 'weight'].sort());
  });
});
