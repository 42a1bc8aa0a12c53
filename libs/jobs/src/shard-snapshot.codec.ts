import { deserialize, serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { TransportStats } from './redis.transport';
import { SnapshotEncodingError } from './snapshot-encoding.error';
import { pack, packedWordsBound, unpack } from './snapshot-pack';

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
/** The encoding {@link encodeSnapshot} writes; raise it when the byte layout below changes (2: arrays whole, 3: without zero words). */
export const SNAPSHOT_ENCODING = 3;
/** Header: magic, encoding, skeleton bytes, typed-array count (uint32 each). */
const HEADER_BYTES = 16;
/** Per typed array in the table: its type, its byte length and the bytes stored (uint32 each). */
const TABLE_ENTRY_BYTES = 12;
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

/**
 * `v` with its typed arrays replaced by placeholders, the arrays pushed to
 * `out` (plain objects, arrays, Maps, Sets). A part holding no typed array
 * is the input itself, not a copy: the skeleton is ~64 k values (page
 * histories, counters), and copying them all cost more than the rest of the
 * skeleton's serialization, mostly in young-generation collections.
 * `v8.serialize` reads what it is given and changes nothing.
 */
function strip(v: unknown, out: Typed[]): unknown {
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

/** The 32-bit words of a typed array (its own buffer or a view of an aligned one). */
const wordsOf = (a: ArrayBufferView): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);

/**
 * Arrays whose bytes are whole words go through {@link pack}; the rest are
 * copied as they are. By length only, so that the decoder, whose arrays are
 * fresh, decides as the encoder did whatever the source array's offset.
 */
const packable = (a: ArrayBufferView): boolean => a.byteLength % 4 === 0;

/**
 * Where the encoder writes before one copy into its result, kept from one
 * encoding to the next so that its pages are mapped once. Packing straight
 * into a fresh buffer of the bound (66 MB for a 512-vCPU shard: always
 * mmap'ed by malloc, unmapped when freed) took a page fault per 4 KB written
 * (~6,300) every time, and its size, counted as external memory, pushed V8
 * into a full collection. The result is the exact size: up to glibc's mmap
 * threshold (32 MB at most) malloc reuses freed memory for it, no fault;
 * above, its copy faults as the packing did. Resident: what the largest
 * encoding wrote (25-33 MB per 512 vCPUs), once per process.
 */
let scratch: Buffer = Buffer.alloc(0);

/** {@link scratch}, grown to at least `bytes` (word-aligned: offset 0 of its own memory). */
function scratchOf(bytes: number): Buffer {
  // Rounded up to 1 MB: a snapshot's skeleton grows a little from one to the next.
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.ceil(bytes / 2 ** 20) * 2 ** 20);
  return scratch;
}

/**
 * The bytes stored under a shard's snapshot key: a header, the snapshot
 * with its typed arrays taken out (v8 serialization: Maps survive), a table
 * of the arrays' types, lengths and stored lengths, then every array once,
 * without its zero words ({@link pack}). Nearly all of a snapshot is typed
 * arrays (TLBs, partition caches, VM views: 65 MB for 512 vCPUs); v8
 * serialization copied them element by element into a buffer it grew by
 * doubling, several times the cost of one pass, and kept the zeros: about
 * half the bytes Redis then read, kept and appended to its AOF.
 *
 * Every byte of the result is written (padding zeroed), so the same state
 * encodes to the same bytes whatever the reused memory held. The result is
 * the caller's own buffer, of exactly its length.
 */
export function encodeSnapshot(s: StoredSnapshot): Buffer {
  const arrays: Typed[] = [];
  const skeleton = serialize(strip(s, arrays));
  const tableAt = aligned(HEADER_BYTES + skeleton.length);
  const dataAt = aligned(tableAt + arrays.length * TABLE_ENTRY_BYTES);
  let bound = dataAt;
  for (const a of arrays) bound += aligned(packable(a) ? 4 * packedWordsBound(a.byteLength >> 2) : a.byteLength);
  const out = scratchOf(bound);
  const words = new Int32Array(out.buffer, out.byteOffset, out.length >> 2);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(SNAPSHOT_ENCODING, 4);
  out.writeUInt32LE(skeleton.length, 8);
  out.writeUInt32LE(arrays.length, 12);
  skeleton.copy(out, HEADER_BYTES);
  out.fill(0, HEADER_BYTES + skeleton.length, dataAt);
  let at = dataAt;
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i];
    let stored = a.byteLength;
    // A view at an offset that is not a multiple of 4 (none in the kernel) is packed from an aligned copy.
    if (packable(a)) stored = 4 * pack(wordsOf(a.byteOffset % 4 === 0 ? a : a.slice()), words, at >> 2);
    else out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    const entry = tableAt + i * TABLE_ENTRY_BYTES;
    out.writeUInt32LE(typeCodeOf(a), entry);
    out.writeUInt32LE(a.byteLength, entry + 4);
    out.writeUInt32LE(stored, entry + 8);
    out.fill(0, at + stored, at + aligned(stored));
    at += aligned(stored);
  }
  // Not from the pool (offset 0, so word-aligned for a decoder reading it in place): large, and kept by the caller.
  const result = Buffer.allocUnsafeSlow(at);
  out.copy(result, 0, 0, at);
  return result;
}

/**
 * The inverse of {@link encodeSnapshot}; also reads a snapshot an earlier
 * build wrote with v8 serialization (the kernel layout inside is checked by
 * the restore). Each array is a fresh one (the input may sit at any offset:
 * then it is copied once to a word-aligned buffer first).
 *
 * @throws SnapshotEncodingError for an encoding this build does not read
 */
export function decodeSnapshot(input: Buffer): StoredSnapshot {
  if (input.length < HEADER_BYTES || input.readUInt32LE(0) !== MAGIC) {
    if (input[0] === 0xff) return deserialize(input) as StoredSnapshot;
    throw new SnapshotEncodingError(null, SNAPSHOT_ENCODING);
  }
  const encoding = input.readUInt32LE(4);
  if (encoding !== SNAPSHOT_ENCODING) throw new SnapshotEncodingError(encoding, SNAPSHOT_ENCODING);
  let bytes = input;
  if (input.byteOffset % ALIGN !== 0) {
    bytes = Buffer.allocUnsafeSlow(input.length);
    input.copy(bytes);
  }
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const skeletonBytes = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  const tableAt = aligned(HEADER_BYTES + skeletonBytes);
  let at = aligned(tableAt + count * TABLE_ENTRY_BYTES);
  const arrays: Typed[] = [];
  for (let i = 0; i < count; i++) {
    const Ctor = TYPES[bytes.readUInt32LE(tableAt + i * TABLE_ENTRY_BYTES)];
    const byteLength = bytes.readUInt32LE(tableAt + i * TABLE_ENTRY_BYTES + 4);
    const stored = bytes.readUInt32LE(tableAt + i * TABLE_ENTRY_BYTES + 8);
    const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const a = new Ctor(byteLength / bytesPer);
    if (packable(a)) unpack(words, at >> 2, wordsOf(a));
    else new Uint8Array(a.buffer).set(bytes.subarray(at, at + byteLength));
    arrays.push(a);
    at += aligned(stored);
  }
  const skeleton = deserialize(bytes.subarray(HEADER_BYTES, HEADER_BYTES + skeletonBytes));
  return fill(skeleton, arrays) as StoredSnapshot;
}
