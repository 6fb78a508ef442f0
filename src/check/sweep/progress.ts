/** What `onProgress` receives during a check. */
export interface CheckProgress {
  /** `probe` (the largest gradients, for the scale), then the mode's own work. */
  phase: 'probe' | 'exhaustive' | 'projection' | 'sample';
  /** The tensor being checked. */
  tensor: string;
  /** Measurements (entries or directions) done, and expected. */
  measurements: number;
  plannedMeasurements: number;
  forwardCalls: number;
  elapsedSeconds: number;
}

/** Reports at most every this many seconds, plus the first and the last report. */
const REPORT_INTERVAL_SECONDS = 0.25;

export interface ProgressReporter {
  update(progress: CheckProgress, force?: boolean): void;
}

export function progressReporter(onProgress: ((progress: CheckProgress) => void) | undefined): ProgressReporter {
  let last = -Infinity;
  return {
    update(progress, force = false) {
      if (onProgress === undefined) return;
      if (!force && progress.elapsedSeconds - last < REPORT_INTERVAL_SECONDS) return;
      last = progress.elapsedSeconds;
      onProgress(progress);
    },
  };
}
