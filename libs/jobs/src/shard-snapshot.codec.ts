import { deserialize, serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { TransportStats } from './redis.transport';
import { SnapshotEncodingError } from './snapshot-encoding.error';

/** A stored snapshot: the kernel's state plus the transport counts at that point. */
export interface StoredSnapshot {
  sim: ShardSnapshot;
  stats: TransportStats;
  /**
   * The shard had published its last window (`sim.window - 1`) but left
   * before that window's barrier passed (a stopping worker): the resumed
   * shard waits for that barrier first and counts its batches as received.
   */
  atBarrier?: boolean;
}

/**
 * The first bytes of an encoded snapshot: "TLBS" and the encoding's version.
 * A v8-serialized snapshot (what builds before it wrote) starts with 0xFF.
 */
const MAGIC = 0x53424c54; // "TLBS", little-endian
/** The encoding {@link encodeSnapshot} writes; raise it when the byte layout below changes. */
export const SNAPSHOT_ENCODING = 2;
/** Header: magic, encoding, skeleton bytes, typed-array count (uint32 each). */
const HEADER_BYTES = 16;
/** Per typed array in the table: its type and its byte length (uint32 each). */
const TABLE_ENTRY_BYTES = 8;
/** Every array's bytes start on a multiple of this (so a decoder may view them in place). */
const ALIGN = 8;
/** The key of the placeholder that stands for typed array `i` in the skeleton. */
const SLOT_KEY = '__tlbsimTypedArray';

type Typed =
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
type TypedCtor = new (length: number) => Typed;

/** The typed arrays the table carries, by type code (the index); anything else stays in the skeleton. */
const TYPES: readonly TypedCtor[] = [
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

function typeCodeOf(v: ArrayBufferView): number {
  // Exact constructors only: a Buffer (a Uint8Array subclass) or a DataView goes through v8 as before.
  return TYPES.indexOf(v.constructor as TypedCtor);
}

const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** `[object Map]` and so on: unlike instanceof, true for a Map that v8.deserialize made in another realm. */
const tagOf = (v: object): string => Object.prototype.toString.call(v);

/** A copy of `v` whose typed arrays are placeholders, the arrays pushed to `out` (plain objects, arrays, Maps, Sets). */
function strip(v: unknown, out: Typed[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    if (typeCodeOf(v) < 0) return v;
    out.push(v as Typed);
    return { [SLOT_KEY]: out.length - 1 };
  }
  if (Array.isArray(v)) return v.map((x) => strip(x, out));
  const tag = tagOf(v);
  if (tag === '[object Map]')
    return new Map(Array.from(v as Map<unknown, unknown>, ([k, x]) => [strip(k, out), strip(x, out)]));
  if (tag === '[object Set]') return new Set(Array.from(v as Set<unknown>, (x) => strip(x, out)));
  if (tag !== '[object Object]') return v;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = strip((v as Record<string, unknown>)[k], out);
  return o;
}

/** The inverse of {@link strip}: placeholders replaced by `arrays`, in place. */
function fill(v: unknown, arrays: readonly Typed[]): unknown {
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

/**
 * The bytes stored under a shard's snapshot key: a header, the snapshot
 * with its typed arrays taken out (v8 serialization: Maps survive), a table
 * of the arrays' types and lengths, then every array's bytes copied once
 * into the one buffer. Nearly all of a snapshot is typed arrays (TLBs,
 * partition caches, VM views: 65 MB for 512 vCPUs); v8 serialization copied
 * them element by element into a buffer it grew by doubling, several times
 * the cost of one copy each.
 */
export function encodeSnapshot(s: StoredSnapshot): Buffer {
  const arrays: Typed[] = [];
  const skeleton = serialize(strip(s, arrays));
  const tableAt = aligned(HEADER_BYTES + skeleton.length);
  let size = aligned(tableAt + arrays.length * TABLE_ENTRY_BYTES);
  for (const a of arrays) size += aligned(a.byteLength);
  // Not from the pool: the buffer is large and outlives this call.
  const out = Buffer.allocUnsafeSlow(size);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(SNAPSHOT_ENCODING, 4);
  out.writeUInt32LE(skeleton.length, 8);
  out.writeUInt32LE(arrays.length, 12);
  skeleton.copy(out, HEADER_BYTES);
  let at = aligned(tableAt + arrays.length * TABLE_ENTRY_BYTES);
  arrays.forEach((a, i) => {
    out.writeUInt32LE(typeCodeOf(a), tableAt + i * TABLE_ENTRY_BYTES);
    out.writeUInt32LE(a.byteLength, tableAt + i * TABLE_ENTRY_BYTES + 4);
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += aligned(a.byteLength);
  });
  return out;
}

/**
 * The inverse of {@link encodeSnapshot}; also reads a snapshot an earlier
 * build wrote with v8 serialization (the kernel layout inside is checked by
 * the restore). Each array is a fresh copy (the input may sit at any offset).
 *
 * @throws SnapshotEncodingError for an encoding this build does not read
 */
export function decodeSnapshot(bytes: Buffer): StoredSnapshot {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) {
    if (bytes[0] === 0xff) return deserialize(bytes) as StoredSnapshot;
    throw new SnapshotEncodingError(null, SNAPSHOT_ENCODING);
  }
  const encoding = bytes.readUInt32LE(4);
  if (encoding !== SNAPSHOT_ENCODING) throw new SnapshotEncodingError(encoding, SNAPSHOT_ENCODING);
  const skeletonBytes = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  const tableAt = aligned(HEADER_BYTES + skeletonBytes);
  let at = aligned(tableAt + count * TABLE_ENTRY_BYTES);
  const arrays: Typed[] = [];
  for (let i = 0; i < count; i++) {
    const Ctor = TYPES[bytes.readUInt32LE(tableAt + i * TABLE_ENTRY_BYTES)];
    const byteLength = bytes.readUInt32LE(tableAt + i * TABLE_ENTRY_BYTES + 4);
    const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const a = new Ctor(byteLength / bytesPer);
    new Uint8Array(a.buffer).set(bytes.subarray(at, at + byteLength));
    arrays.push(a);
    at += aligned(byteLength);
  }
  const skeleton = deserialize(bytes.subarray(HEADER_BYTES, HEADER_BYTES + skeletonBytes));
  return fill(skeleton, arrays) as StoredSnapshot;
}
