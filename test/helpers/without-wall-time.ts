import type { GradientReport } from '../../src/check/report-types.js';

/** A report with its one timing, the wall time, zeroed: everything else (the plan and its text included) is the same on every run. */
export const withoutWallTime = (report: GradientReport): GradientReport => ({ ...report, elapsedSeconds: 0 });
