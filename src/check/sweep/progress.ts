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

/** Where the check is, kept by the phases as they go and reported through `onProgress`. */
export interface ProgressTracker {
  phase: CheckProgress['phase'];
  tensor: string;
  measurements: number;
  plannedMeasurements: number;
  /** Reports the current state (rate-limited unless forced). */
  report(force?: boolean): void;
}

export interface ProgressSources {
  onProgress: ((progress: CheckProgress) => void) | undefined;
  /** Seconds since the check began. */
  elapsed(): number;
  forwardCalls(): number;
}

export function trackProgress(sources: ProgressSources): ProgressTracker {
  const reporter = progressReporter(sources.onProgress);
  const tracker: ProgressTracker = {
    phase: 'probe',
    tensor: '',
    measurements: 0,
    plannedMeasurements: 0,
    report(force = false) {
      // Called after every measurement: without a listener it must cost nothing (no clock read, no object).
      if (sources.onProgress === undefined) return;
      const { phase, tensor, measurements, plannedMeasurements } = tracker;
      reporter.update({ phase, tensor, measurements, plannedMeasurements, forwardCalls: sources.forwardCalls(), elapsedSeconds: sources.elapsed() }, force);
    },
  };
  return tracker;
}
