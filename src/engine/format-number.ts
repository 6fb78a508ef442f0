/** Short, aligned-friendly numbers: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(value.toPrecision(4)));
  // 1e-6, not 1.00e-6: trailing zeros of the mantissa say nothing.
  return value.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
}
