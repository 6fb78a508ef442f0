import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import { reportChecksTo, reportFileBase, summaryLine } from '../../src/report/ci-report.js';
import { ScaleLayer } from '../zoo/protocol/scale.js';

describe('CI reports', () => {
  let directory = '';
  const saved = { reports: process.env.EXPECT_GRADCHECK_REPORTS, summary: process.env.GITHUB_STEP_SUMMARY };
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'gradcheck-reports-'));
  });
  afterEach(() => {
    for (const [key, value] of [
      ['EXPECT_GRADCHECK_REPORTS', saved.reports],
      ['GITHUB_STEP_SUMMARY', saved.summary],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    reportChecksTo(null);
    rmSync(directory, { recursive: true, force: true });
  });

  it('write one JSON file per check, named after the test, when EXPECT_GRADCHECK_REPORTS is set', () => {
    process.env.EXPECT_GRADCHECK_REPORTS = join(directory, 'reports');
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients()).toThrow();
    const files = readdirSync(join(directory, 'reports')).sort();
    const base = 'ci-report-test--ci-reports-write-one-json-file-per-check-named-after-the-test-when-expect-gradcheck-reports-is-set';
    expect(files).toEqual([`${base.slice(0, 120)}-2.json`, `${base.slice(0, 120)}.json`].sort());
    const first = JSON.parse(readFileSync(join(directory, 'reports', `${base.slice(0, 120)}.json`), 'utf8'));
    expect(first).toMatchObject({ test: expect.stringContaining('write one JSON file per check'), verdict: 'pass', mode: { kind: 'exhaustive' } });
    expect(first.file).toMatch(/ci-report\.test\.ts$/);
    const second = JSON.parse(readFileSync(join(directory, 'reports', `${base.slice(0, 120)}-2.json`), 'utf8'));
    expect(second.verdict).toBe('fail');
    expect(second.tensors[0].failures).toHaveLength(6);
  });

  it('append one line per check to the GitHub job summary, under one header', () => {
    reportChecksTo(directory);
    const summary = join(directory, 'summary.md');
    writeFileSync(summary, '# Tests\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(new ScaleLayer({ dwFactor: 2 })).not.toHaveCorrectGradients();
    const lines = readFileSync(summary, 'utf8').split('\n');
    expect(lines.filter((line) => line.startsWith('| gradient check |'))).toHaveLength(1);
    const rows = lines.filter((line) => line.startsWith('| CI reports > append one line'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/\| ✅ pass \| exhaustive \| 18 \| \S+ \|$/);
    expect(rows[1]).toMatch(/\| ❌ fail \| exhaustive \| 18 \| 0\.\d+ \|$/);
  });

  it('write nothing when no directory is set', () => {
    delete process.env.EXPECT_GRADCHECK_REPORTS;
    expect(new ScaleLayer()).toHaveCorrectGradients();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('treat variables the runtime refuses to read as unset (Deno without --allow-env throws on every process.env read)', () => {
    reportChecksTo(directory);
    const refusing = new Proxy(
      {},
      {
        get: (_target, name) => {
          throw new Error(`NotCapable: Requires env access to "${String(name)}", run again with the --allow-env flag`);
        },
      },
    );
    const env = Object.getOwnPropertyDescriptor(process, 'env') as PropertyDescriptor;
    Object.defineProperty(process, 'env', { ...env, value: refusing });
    try {
      expect(new ScaleLayer()).toHaveCorrectGradients();
      expect(() => expect(new ScaleLayer({ dwFactor: 2 })).toHaveCorrectGradients()).toThrow(/gradient entries disagree/);
    } finally {
      Object.defineProperty(process, 'env', env);
    }
    // The directory set in code still gets its reports; no job summary without GITHUB_STEP_SUMMARY.
    expect(readdirSync(directory)).toHaveLength(2);
  });

  it('name files and summary lines safely', () => {
    expect(reportFileBase({ testName: 'Dense > has correct gradients (batch 8)', testPath: '/a/b/dense.test.ts' })).toBe('dense-test--dense-has-correct-gradients-batch-8');
    expect(reportFileBase({})).toBe('gradient-check');
    expect(summaryLine(checkGradients(new ScaleLayer()), { testName: 'a | b' })).toMatch(/^\| a \\\| b \| ✅ pass \| exhaustive \| 18 \|/);
  });
});
