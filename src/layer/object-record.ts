/**
 * An object reached by its keys (a record, a class instance): neither an array nor a typed array or
 * DataView, whose entries are reached by index. Params forms, accessors, gradient records and
 * tensor classes are all told apart from storage by this first.
 */
export const isObjectRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
