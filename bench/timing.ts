/** Wall-clock timing for the benchmarks. */

export interface Timed<T> {
  value: T;
  /** Wall-clock time. */
  seconds: number;
  /**
   * CPU time of this process (user + system, all its threads, so the collector's too). Other
   * processes on a shared machine stretch the wall time but hardly this.
   */
  cpuSeconds: number;
}

export function timed<T>(run: () => T): Timed<T> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const value = run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Runs `run` `repeats` times and keeps the fastest: on a shared 2-core machine other processes only
 * ever add time, so the minimum is the least disturbed estimate of the code's own cost.
 */
export function fastest<T>(repeats: number, run: () => T): Timed<T> & { all: number[] } {
  let best: Timed<T> | null = null;
  const all: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const result = timed(run);
    all.push(result.seconds);
    if (best === null || result.seconds < best.seconds) best = result;
  }
  if (best === null) throw new TypeError(`repeats must be at least 1, but got ${repeats}.`);
  return { ...best, all };
}
