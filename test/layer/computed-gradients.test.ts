/**
 * A gradient a function of the layer computes (a record's `grad: () => …`, a `grads()` method) is
 * read after a backward, never before the first one: before it, the gradient may not exist yet, and
 * reading it may run an update step.
 */
import { describe, expect, it } from 'vitest';
import { checkGradients } from '../../src/check/check-gradients.js';
import type { Layer } from '../../src/layer/protocol.js';
import { CapturedUpdateLayer, LazyGradLayer, withCapturedGrads } from '../zoo/protocol/computed-grads.js';

describe('computed gradients', () => {
  it('a grad function over a .grad that backward allocates is first read after a backward: the correct layer passes', () => {
    const layer = new LazyGradLayer();
    const report = checkGradients(layer as unknown as Layer);
    expect(layer.readsBeforeBackward).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['w', 'beta', 'input']);
  });

  it('its bug is found at the entries of w, and only there', () => {
    const report = checkGradients(new LazyGradLayer({ bug: 'dw-halved' }) as unknown as Layer);
    expect(report.verdict).toBe('fail');
    expect(report.tensors.filter((t) => t.failures.length > 0).map((t) => t.name)).toEqual(['w']);
    expect(report.tensors[0].failures).toHaveLength(4);
  });

  it('a { property } record without a grad takes its gradient from grads() under its name', () => {
    const report = checkGradients(new LazyGradLayer() as unknown as Layer);
    expect(report.tensors.find((t) => t.name === 'beta')).toMatchObject({ size: 1, pass: true });
  });

  it('the README capture pattern runs no update step before the first backward, and passes', () => {
    const layer = withCapturedGrads(new CapturedUpdateLayer());
    const report = checkGradients(layer as unknown as Layer);
    expect(layer.updatesBeforeBackward).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(report.tensors.map((t) => t.name)).toEqual(['W', 'input']);
  });
});
