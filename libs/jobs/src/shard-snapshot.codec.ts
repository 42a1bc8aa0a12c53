import { deserialize, serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { TransportStats } from './redis.transport';
import { SnapshotChainError } from './snapshot-chain.error';
import { SnapshotEncodingError } from './snapshot-encoding.error';
import { pack, packDelta, packedWordsBound, unpack, unpackDelta } from './snapshot-pack';
import { fill, strip, Typed, typeCodeOf, TYPES } from './snapshot-skeleton';

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
/**
 * The encoding {@link encodeSnapshot} writes; raise it when the byte layout below changes (2: arrays whole,
 * 3: without zero words, 4: a chain of segments, a full one then deltas, each ending with its id).
 */
export const SNAPSHOT_ENCODING = 4;
/** The encoding before chains: one full segment, a 16-byte header (no kind, no length), no id. Still read. */
const ENCODING_SINGLE = 3;
/** Header: magic, encoding, skeleton bytes, typed-array count, kind ({@link KIND_FULL}, {@link KIND_DELTA}), segment bytes (uint32 each). */
const HEADER_BYTES = 24;
/** A segment that holds every array (it starts a chain). */
const KIND_FULL = 0;
/** A segment that holds the XOR of every packable array with the chain's state before it ({@link packDelta}). */
const KIND_DELTA = 1;
/** The id that ends every segment: the window after which it was taken, and its writer's tag (uint32 each). */
export const SEGMENT_ID_BYTES = 8;
/** Per typed array in the table: its type, its byte length and the bytes stored (uint32 each). */
const TABLE_ENTRY_BYTES = 12;
/** Every array's bytes start on a multiple of this (so a decoder may view them in place). */
const ALIGN = 8;

const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

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
 * The state a delta segment is taken against: the arrays of the chain's
 * last segment, as its writer keeps them ({@link SnapshotChain}).
 */
export interface SnapshotBase {
  /** Every array's type code, in order: a delta needs as many arrays. */
  codes: number[];
  /** The words of every packable array (a copy); null for an array stored whole in every segment. */
  words: (Int32Array | null)[];
}

/**
 * The bit of a table entry's type word that marks an array a delta segment
 * stores whole (packed as a full segment does): one whose type or length is
 * not its base's. The carry (messages delivered, not yet due) changes
 * length from one snapshot to the next; the TLBs never do.
 */
const WHOLE = 0x100;

/** Whether array `a` at index `i` can go in a delta against `base` as its XOR (same type, same length). */
const fitsBase = (base: SnapshotBase, i: number, a: ArrayBufferView): boolean =>
  base.codes[i] === typeCodeOf(a) && base.words[i]?.length === a.byteLength >> 2 && packable(a);

/** The 8-byte id of a segment taken after window `window - 1` by the writer tagged `tag`. */
export function segmentIdOf(window: number, tag: number): Buffer {
  const id = Buffer.alloc(SEGMENT_ID_BYTES);
  id.writeUInt32LE(window >>> 0, 0);
  id.writeUInt32LE(tag >>> 0, 4);
  return id;
}

/**
 * The bytes stored under a shard's snapshot key for a full segment: a
 * header, the snapshot with its typed arrays taken out (v8 serialization:
 * Maps survive), a table of the arrays' types, lengths and stored lengths,
 * then every array once, without its zero words ({@link pack}), then the
 * segment's id. Nearly all of a snapshot is typed arrays (TLBs, partition
 * caches, VM views: 65 MB for 512 vCPUs); v8 serialization copied them
 * element by element into a buffer it grew by doubling, several times the
 * cost of one pass, and kept the zeros: about half the bytes Redis then
 * read, kept and appended to its AOF.
 *
 * Every byte of the result is written (padding zeroed), so the same state
 * encodes to the same bytes whatever the reused memory held. The result is
 * the caller's own buffer, of exactly its length.
 *
 * @param id - the segment's id @defaultValue window `s.sim.window`, tag 0
 */
export function encodeSnapshot(s: StoredSnapshot, id: Buffer = segmentIdOf(s.sim.window, 0)): Buffer {
  return encodeSegment(s, id, null, false).bytes;
}

/**
 * A segment of `s`: a delta against `base` if it has as many arrays (the
 * words that changed, as their XOR, for each array of its base's type and
 * length; any other array whole), `base` then holding this state; else, or
 * with `full`, a full one. `keep`: a full segment also returns its arrays'
 * words as the next delta's base (a copy of 65 MB for 512 vCPUs, which a
 * caller that writes no chain need not pay), in `base`'s arrays where they
 * fit. `arrayBytes`: the bytes of its arrays, the same for the same state in
 * any process.
 */
export function encodeSegment(
  s: StoredSnapshot,
  id: Buffer,
  base: SnapshotBase | null,
  keep: boolean,
  full = false,
): { bytes: Buffer; arrayBytes: number; delta: boolean; base: SnapshotBase | null } {
  const arrays: Typed[] = [];
  const skeleton = serialize(strip(s, arrays));
  const delta = !full && base !== null && base.codes.length === arrays.length;
  // A full segment's kept words reuse the old base's arrays where they fit: a fresh 65 MB of them per full
  // segment, counted as external memory, drove V8 into full collections.
  const reuse = !delta && base ? base.words : [];
  const next: SnapshotBase | null = delta ? base : keep ? { codes: [], words: [] } : null;
  const tableAt = aligned(HEADER_BYTES + skeleton.length);
  const dataAt = aligned(tableAt + arrays.length * TABLE_ENTRY_BYTES);
  let bound = dataAt + SEGMENT_ID_BYTES;
  for (const a of arrays) bound += aligned(packable(a) ? 4 * packedWordsBound(a.byteLength >> 2) : a.byteLength);
  const out = scratchOf(bound);
  const words = new Int32Array(out.buffer, out.byteOffset, out.length >> 2);
  skeleton.copy(out, HEADER_BYTES);
  out.fill(0, HEADER_BYTES + skeleton.length, dataAt);
  let at = dataAt;
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i];
    let stored = a.byteLength;
    const xor = delta && fitsBase(base, i, a);
    if (packable(a)) {
      // A view at an offset that is not a multiple of 4 (none in the kernel) is packed from an aligned copy.
      const src = wordsOf(a.byteOffset % 4 === 0 ? a : a.slice());
      stored = 4 * (xor ? packDelta(src, base.words[i]!, words, at >> 2) : pack(src, words, at >> 2));
      if (next && !xor) {
        const old = reuse[i];
        if (old?.length === src.length) old.set(src);
        next.words[i] = old?.length === src.length ? old : src.slice();
      }
    } else {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      if (next) next.words[i] = null;
    }
    if (next) next.codes[i] = typeCodeOf(a);
    const entry = tableAt + i * TABLE_ENTRY_BYTES;
    out.writeUInt32LE(typeCodeOf(a) | (delta && !xor ? WHOLE : 0), entry);
    out.writeUInt32LE(a.byteLength, entry + 4);
    out.writeUInt32LE(stored, entry + 8);
    out.fill(0, at + stored, at + aligned(stored));
    at += aligned(stored);
  }
  id.copy(out, at, 0, SEGMENT_ID_BYTES);
  at += SEGMENT_ID_BYTES;
  for (const [k, v] of [
    MAGIC,
    SNAPSHOT_ENCODING,
    skeleton.length,
    arrays.length,
    delta ? KIND_DELTA : KIND_FULL,
    at,
  ].entries())
    out.writeUInt32LE(v, 4 * k);
  // Not from the pool (offset 0, so word-aligned for a decoder reading it in place): large, and kept by the caller.
  const result = Buffer.allocUnsafeSlow(at);
  out.copy(result, 0, 0, at);
  // The arrays' bytes alone: the skeleton's v8 bytes vary between processes (a number stored as a small integer
  // or a double, as the JIT left it), and a chain's full-or-delta choice must not, for a seed to replay it.
  return { bytes: result, arrayBytes: at - SEGMENT_ID_BYTES - dataAt, delta, base: next };
}

/** A decoded chain: the state at its last segment, and what its writer's successor needs to go on with it. */
export interface DecodedSnapshot {
  stored: StoredSnapshot;
  /** The last segment's id; null for a snapshot written before chains (the next segment is then a full one). */
  endId: Buffer | null;
  /** Bytes of the chain's full segment and of the whole chain. */
  fullBytes: number;
  chainBytes: number;
  /** Delta segments after the full one. */
  deltas: number;
}

/**
 * The inverse of {@link encodeSnapshot} and of a chain of {@link encodeSegment}
 * segments: the state at the last one. Also reads a snapshot an earlier build
 * wrote (encoding 3, or v8 serialization; the kernel layout inside is checked
 * by the restore). Each array is a fresh one (the input may sit at any offset:
 * then it is copied once to a word-aligned buffer first).
 *
 * @throws SnapshotEncodingError for an encoding this build does not read
 * @throws SnapshotChainError for a chain whose delta does not fit the state before it
 */
export function decodeSnapshotChain(input: Buffer): DecodedSnapshot {
  if (input.length < 16 || input.readUInt32LE(0) !== MAGIC) {
    if (input[0] === 0xff)
      return { stored: deserialize(input) as StoredSnapshot, endId: null, fullBytes: 0, chainBytes: 0, deltas: 0 };
    throw new SnapshotEncodingError(null, SNAPSHOT_ENCODING);
  }
  const encoding = input.readUInt32LE(4);
  if (encoding !== SNAPSHOT_ENCODING && encoding !== ENCODING_SINGLE)
    throw new SnapshotEncodingError(encoding, SNAPSHOT_ENCODING);
  let bytes = input;
  if (input.byteOffset % ALIGN !== 0) {
    bytes = Buffer.allocUnsafeSlow(input.length);
    input.copy(bytes);
  }
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  if (encoding === ENCODING_SINGLE) {
    const single = readSegment(bytes, words, 0, 16, null, 0);
    return { stored: single.stored, endId: null, fullBytes: 0, chainBytes: 0, deltas: 0 };
  }
  let seg = readSegment(bytes, words, 0, HEADER_BYTES, null, 0);
  const fullBytes = seg.end;
  let deltas = 0;
  while (seg.end < bytes.length) {
    deltas++;
    // Each segment starts on a multiple of 8 of the chain: its length is one (its id ends it on one).
    if (bytes.readUInt32LE(seg.end) !== MAGIC || bytes.readUInt32LE(seg.end + 4) !== SNAPSHOT_ENCODING)
      throw new SnapshotChainError(deltas);
    seg = readSegment(bytes, words, seg.end, HEADER_BYTES, seg.arrays, deltas);
  }
  const endId = Buffer.from(bytes.subarray(seg.end - SEGMENT_ID_BYTES, seg.end));
  return { stored: seg.stored, endId, fullBytes, chainBytes: bytes.length, deltas };
}

/** {@link decodeSnapshotChain}'s state alone. */
export function decodeSnapshot(input: Buffer): StoredSnapshot {
  return decodeSnapshotChain(input).stored;
}

/**
 * Reads the segment at byte `from` (header `headerBytes` long): a full one
 * into fresh arrays, a delta into `prev` (the chain's arrays so far). Its
 * state, its arrays and where it ends.
 */
function readSegment(
  bytes: Buffer,
  words: Int32Array,
  from: number,
  headerBytes: number,
  prev: Typed[] | null,
  index: number,
): { stored: StoredSnapshot; arrays: Typed[]; end: number } {
  const skeletonBytes = bytes.readUInt32LE(from + 8);
  const count = bytes.readUInt32LE(from + 12);
  const delta = headerBytes === HEADER_BYTES && bytes.readUInt32LE(from + 16) === KIND_DELTA;
  // A delta only follows a segment of as many arrays (its writer checked).
  if (delta !== (prev !== null) || (prev && prev.length !== count)) throw new SnapshotChainError(index);
  const tableAt = from + aligned(headerBytes + skeletonBytes);
  let at = aligned(tableAt + count * TABLE_ENTRY_BYTES);
  const arrays: Typed[] = [];
  for (let i = 0; i < count; i++) {
    const entry = tableAt + i * TABLE_ENTRY_BYTES;
    const type = bytes.readUInt32LE(entry);
    const Ctor = TYPES[type & ~WHOLE];
    const byteLength = bytes.readUInt32LE(entry + 4);
    const stored = bytes.readUInt32LE(entry + 8);
    const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    // An array of a delta is its base's XOR the words stored, or stored whole (WHOLE, or not packable).
    const base = prev && !(type & WHOLE) && byteLength % 4 === 0 ? prev[i] : undefined;
    if (base && (base.constructor !== Ctor || base.byteLength !== byteLength)) throw new SnapshotChainError(index);
    const a = base ?? new Ctor(byteLength / bytesPer);
    if (!packable(a)) new Uint8Array(a.buffer).set(bytes.subarray(at, at + byteLength));
    else if (base) unpackDelta(words, at >> 2, wordsOf(a));
    else unpack(words, at >> 2, wordsOf(a));
    arrays.push(a);
    at += aligned(stored);
  }
  const skeleton = deserialize(bytes.subarray(from + headerBytes, from + headerBytes + skeletonBytes));
  const end = headerBytes === HEADER_BYTES ? from + bytes.readUInt32LE(from + 20) : at;
  return { stored: fill(skeleton, arrays) as StoredSnapshot, arrays, end };
}
