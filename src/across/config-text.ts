import { describeValue } from '../layer/describe-value.js';
import type { Config } from './across-types.js';

/** A value as it reads in a configuration: numbers, strings and booleans as written, anything else described. */
function valueText(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) && value.length <= 8 && value.every((v) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) {
    return `[${value.map(valueText).join(', ')}]`;
  }
  return describeValue(value);
}

/** `{ rows: 2, cols: 2 }`: a configuration as the report names it (its keys in their own order). */
export function describeConfig(config: Config): string {
  if (typeof config !== 'object' || config === null) return valueText(config);
  const parts = Object.entries(config).map(([key, value]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${valueText(value)}`);
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}
