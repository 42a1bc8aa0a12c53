/**
 * A comparable form of a snapshot, for tests: typed arrays as their type and
 * values, Maps as entry lists. (v8.deserialize builds Maps in Node's realm,
 * which jest's toEqual cannot walk from the test's.) Not built: tests only.
 */
export function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return [v.constructor.name, ...Array.from(v as unknown as ArrayLike<unknown>)];
  if (Array.isArray(v)) return v.map(plain);
  if (Object.prototype.toString.call(v) === '[object Map]')
    return ['Map', ...Array.from(v as Map<unknown, unknown>, ([k, x]) => [plain(k), plain(x)])];
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
