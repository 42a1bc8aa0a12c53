/**
 * The skeleton of a stored snapshot (shard-snapshot.codec.ts): the snapshot
 * with its typed arrays taken out and replaced by numbered placeholders, so
 * that v8 serialization carries the small rest (Maps survive) and the codec
 * lays the arrays out itself.
 */

/** The key of the placeholder that stands for typed array `i` in the skeleton. */
const SLOT_KEY = '__tlbsimTypedArray';

export type Typed =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;
export type TypedCtor = new (length: number) => Typed;

/** The typed arrays the table carries, by type code (the index); anything else stays in the skeleton. */
export const TYPES: readonly TypedCtor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

export function typeCodeOf(v: ArrayBufferView): number {
  // Exact constructors only: a Buffer (a Uint8Array subclass) or a DataView goes through v8 as before.
  return TYPES.indexOf(v.constructor as TypedCtor);
}

/** `[object Map]` and so on: unlike instanceof, true for a Map that v8.deserialize made in another realm. */
const tagOf = (v: object): string => Object.prototype.toString.call(v);

/**
 * `v` with its typed arrays replaced by placeholders, the arrays pushed to
 * `out` (plain objects, arrays, Maps, Sets). A part holding no typed array
 * is the input itself, not a copy: the skeleton is ~64 k values (page
 * histories, counters), and copying them all cost more than the rest of the
 * skeleton's serialization, mostly in young-generation collections.
 * `v8.serialize` reads what it is given and changes nothing.
 */
export function strip(v: unknown, out: Typed[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    if (typeCodeOf(v) < 0) return v;
    out.push(v as Typed);
    return { [SLOT_KEY]: out.length - 1 };
  }
  if (Array.isArray(v)) return stripArray(v, out);
  const tag = tagOf(v);
  if (tag === '[object Map]') return stripMap(v as Map<unknown, unknown>, out);
  if (tag === '[object Set]') return new Set(Array.from(v as Set<unknown>, (x) => strip(x, out)));
  if (tag !== '[object Object]') return v;
  const o = v as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const k of Object.keys(o)) {
    const x = o[k];
    const y = strip(x, out);
    // Copied at the first change only, with every key in its place (the same order as the input's).
    if (y !== x) (copy ??= { ...o })[k] = y;
  }
  return copy ?? o;
}

/** {@link strip} of an array: the array itself unless an element changed. */
function stripArray(v: unknown[], out: Typed[]): unknown[] {
  let copy: unknown[] | null = null;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || typeof x !== 'object') continue;
    const y = strip(x, out);
    if (y !== x) (copy ??= v.slice())[i] = y;
  }
  return copy ?? v;
}

/** {@link strip} of a Map: the Map itself unless a key or a value changed. */
function stripMap(v: Map<unknown, unknown>, out: Typed[]): Map<unknown, unknown> {
  let changed = false;
  const entries = Array.from(v, ([k, x]): [unknown, unknown] => {
    const e: [unknown, unknown] = [strip(k, out), strip(x, out)];
    changed ||= e[0] !== k || e[1] !== x;
    return e;
  });
  return changed ? new Map(entries) : v;
}

/** The inverse of {@link strip}: placeholders replaced by `arrays`, in place. */
export function fill(v: unknown, arrays: readonly Typed[]): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fill(v[i], arrays);
    return v;
  }
  const tag = tagOf(v);
  if (tag === '[object Map]')
    return new Map(Array.from(v as Map<unknown, unknown>, ([k, x]) => [fill(k, arrays), fill(x, arrays)]));
  if (tag === '[object Set]') return new Set(Array.from(v as Set<unknown>, (x) => fill(x, arrays)));
  if (tag !== '[object Object]') return v;
  const o = v as Record<string, unknown>;
  if (typeof o[SLOT_KEY] === 'number' && Object.keys(o).length === 1) return arrays[o[SLOT_KEY]];
  for (const k of Object.keys(o)) o[k] = fill(o[k], arrays);
  return o;
}
