import type { CheckContext } from '../context.js';
import type { CheckProcess } from '../layer-call.js';
import { checkTiedGroups } from './tied-groups.js';

/**
 * The fifth phase: checks that need the sweep's measurements as a whole. Kinks are known only once
 * their entries were measured, so tied entries are judged together now; then the unperturbed
 * point is re-evaluated the times still owed, so every check has the same evidence of a
 * deterministic forward, and the layer's last forward is at its original values.
 */
export function* checkJointly(check: CheckContext): CheckProcess<void> {
  for (const record of check.records) yield* checkTiedGroups(record, check.sweep);
  yield* check.evaluation.watch.finish();
  check.progress.report(true);
}
