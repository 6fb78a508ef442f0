/**
 * Runs code around every forward call of a layer during one check, without changing the layer's
 * class: `forward` is shadowed by an own property for the duration and deleted afterwards. The
 * check snapshots and restores the layer's own properties, so it sees the hook as part of the layer
 * and leaves it in place until `withForwardHook` removes it.
 */

export interface ForwardLayer {
  forward(input: never): unknown;
}

export interface ForwardHook {
  before?(): void;
  after?(): void;
}

export function withForwardHook<L extends ForwardLayer, T>(layer: L, hook: ForwardHook, run: (layer: L) => T): T {
  const forward = layer.forward;
  Object.defineProperty(layer, 'forward', {
    configurable: true,
    writable: true,
    enumerable: false,
    value(this: L, input: never): unknown {
      hook.before?.();
      const output = forward.call(this, input);
      hook.after?.();
      return output;
    },
  });
  try {
    return run(layer);
  } finally {
    delete (layer as Partial<ForwardLayer>).forward;
  }
}
