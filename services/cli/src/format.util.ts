/** Integer with thousands separators, e.g. `1,234,567`; non-integers keep two decimals. */
export function fmtInt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole, fraction] = (Number.isInteger(value) ? String(value) : value.toFixed(2)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A number with `digits` decimals, grouped. */
export function fmtFixed(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole, fraction] = value.toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** `part` as a percentage of `whole`, e.g. `12.5%`; `-` when `whole` is 0. */
export function fmtPercent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`;
}

/** Left-aligned `label  value` lines with the values in one column. */
export function alignPairs(pairs: ReadonlyArray<readonly [string, string]>, indent = '  '): string[] {
  const width = Math.max(0, ...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}
