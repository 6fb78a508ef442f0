import { errorCode, type ReportFileSystem } from './report-host.js';

/**
 * How long to wait for another process's lock: it is held for one read and one append
 * (microseconds), so a lock still there after this long was left by a process that died holding it.
 */
const LOCK_WAIT_MS = 1000;

/** Sleeps without a timer, as the matcher is synchronous: `Atomics.wait` on a private buffer (allowed on Node's main thread). */
function pause(ms: number): void {
  if (typeof SharedArrayBuffer === 'function' && typeof Atomics?.wait === 'function') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return;
  }
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // no way to sleep here: spin
  }
}

/**
 * Runs `action` while holding `lockPath`, a file created exclusively and removed after; other
 * processes wait for it. A lock older than LOCK_WAIT_MS is treated as abandoned: it is removed
 * and `action` runs anyway (at worst, a second table header), so a crashed process cannot
 * stall every later check. A lock that cannot be created at all does not stop `action` either.
 */
export function withFileLock<T>(fs: ReportFileSystem, lockPath: string, action: () => T): T {
  const giveUpAt = Date.now() + LOCK_WAIT_MS;
  let fd: number | null = null;
  while (fd === null) {
    try {
      fd = fs.openSync(lockPath, 'wx');
    } catch (error) {
      // A directory the lock cannot be made in: run unlocked, and let the action report its own error.
      if (errorCode(error) !== 'EEXIST') break;
      if (Date.now() > giveUpAt) {
        fs.rmSync(lockPath, { force: true });
        break;
      }
      pause(1);
    }
  }
  try {
    return action();
  } finally {
    if (fd !== null) {
      fs.closeSync(fd);
      fs.rmSync(lockPath, { force: true });
    }
  }
}
