/**
 * The machine a benchmark ran on, as `nproc`, `node -v` and /proc/cpuinfo's model name report it,
 * so printed numbers can be compared across machines.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

function processingUnits(): string {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return `${availableParallelism()} (os.availableParallelism; nproc unavailable)`;
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match !== null) return match[1].trim();
  } catch {
    // No /proc (macOS, Windows): fall back to what libuv reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(): string {
  return `nproc ${processingUnits()}, node ${process.version}, CPU ${cpuModel()}`;
}
