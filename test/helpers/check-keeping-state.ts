/**
 * The check run under the deep-state oracle: every call asserts that the layer (and `extra`, e.g.
 * the caller's input) comes back bit for bit, whatever the verdict or the error.
 */
import { expect } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import type { GradientCheckOptions } from '../../src/check/options.js';
import type { GradientReport } from '../../src/check/report-types.js';
import type { Layer } from '../../src/layer/protocol.js';
import { captureDeepState, expectSameDeepState } from './deep-state.js';

/** Starts watching a layer (and `extra`); the returned function asserts both are as they were. */
export function keepsState(layer: object, extra?: unknown): () => void {
  const before = captureDeepState(layer);
  const extraBefore = extra === undefined ? null : captureDeepState(extra, 'input');
  return () => {
    expectSameDeepState(before, captureDeepState(layer));
    if (extraBefore !== null) expectSameDeepState(extraBefore, captureDeepState(extra, 'input'));
  };
}

/** Runs the check, asserting the layer (and `extra`) come back bit for bit. */
export function checkKeepingState(layer: object, options?: GradientCheckOptions, extra?: unknown): GradientReport {
  const unchanged = keepsState(layer, extra);
  const report = checkGradients(layer as Layer, options);
  unchanged();
  return report;
}

/** The error the check throws, asserting it is an Error and that the layer (and `extra`) come back bit for bit. */
export function thrownKeepingState(layer: object, options?: GradientCheckOptions, extra?: unknown): Error {
  const unchanged = keepsState(layer, extra);
  let thrown: unknown = null;
  try {
    checkGradients(layer as Layer, options);
  } catch (error) {
    thrown = error;
  }
  unchanged();
  if (thrown === null) throw new Error('expected the check to throw, but it returned a report');
  expect(thrown).toBeInstanceOf(Error);
  return thrown as Error;
}
