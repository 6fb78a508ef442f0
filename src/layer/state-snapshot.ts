/**
 * Saves everything plainly reachable from a layer (own data properties, arrays, typed arrays,
 * nested objects) so the checker can put the layer back exactly as it found it, bit for bit, also
 * when forward or backward throws halfway or replaces arrays with new ones.
 */

type Saved =
  | { kind: 'typed'; target: Float64Array | Float32Array | Int32Array | Uint8Array | ArrayBufferView; copy: ArrayBufferView }
  | { kind: 'array'; target: unknown[]; items: unknown[] }
  | { kind: 'object'; target: Record<string, unknown>; entries: [string, unknown][]; keys: Set<string> };

/** Visiting stops past this many objects; the params themselves are always restored separately. */
const MAX_OBJECTS = 100_000;

const SKIPPED_TYPES = [Map, Set, WeakMap, WeakSet, Date, Promise, RegExp, ArrayBuffer, DataView];

function isSkipped(value: object): boolean {
  return typeof value === 'function' || SKIPPED_TYPES.some((type) => value instanceof type);
}

function ownDataEntries(target: object): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(target)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    // Accessors are skipped: reading a getter may run layer code.
    if (descriptor !== undefined && 'value' in descriptor) entries.push([key, descriptor.value]);
  }
  return entries;
}

export interface StateSnapshot {
  /** Puts every saved reference and value back. Safe to call more than once. */
  restore(): void;
}

export function snapshotState(root: object, extraRoots: readonly unknown[] = []): StateSnapshot {
  const saved: Saved[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [root, ...extraRoots];
  while (stack.length > 0 && seen.size < MAX_OBJECTS) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value) || isSkipped(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      if (!(value instanceof DataView)) {
        saved.push({ kind: 'typed', target: value, copy: (value as unknown as Float64Array).slice() });
      }
    } else if (Array.isArray(value)) {
      saved.push({ kind: 'array', target: value, items: value.slice() });
      for (const item of value) if (typeof item === 'object') stack.push(item);
    } else {
      const entries = ownDataEntries(value);
      saved.push({ kind: 'object', target: value as Record<string, unknown>, entries, keys: new Set(entries.map(([k]) => k)) });
      for (const [, item] of entries) if (typeof item === 'object') stack.push(item);
    }
  }
  return {
    restore() {
      for (const entry of saved) {
        try {
          if (entry.kind === 'typed') {
            (entry.target as Float64Array).set(entry.copy as Float64Array);
          } else if (entry.kind === 'array') {
            entry.target.length = entry.items.length;
            for (let i = 0; i < entry.items.length; i++) entry.target[i] = entry.items[i];
          } else {
            for (const key of Object.keys(entry.target)) {
              if (!entry.keys.has(key)) delete entry.target[key];
            }
            for (const [key, item] of entry.entries) {
              if (!Object.is(entry.target[key], item)) entry.target[key] = item;
            }
          }
        } catch {
          // Frozen or sealed objects cannot have changed through ordinary assignment either.
        }
      }
    },
  };
}
