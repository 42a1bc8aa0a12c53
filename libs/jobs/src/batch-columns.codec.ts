import { MSG_WIDTH as SIM_MSG_WIDTH } from '@tlbsim/sim-core';
import { BatchEncodingError } from './batch-encoding.error';

/**
 * Numbers per message, as a module constant: compiled to CommonJS, every use
 * of an imported binding is a getter call on the package's exports, and
 * with them in its loops the encoder took 3.5 times the CPU.
 */
const MSG_WIDTH = SIM_MSG_WIDTH;

/**
 * The column encoding of a window's batch, the first byte of its bytes.
 * Raw batches (what builds before it stored) had no tag: their first byte
 * is the low byte of the first message's time, 0 for a whole time, and
 * {@link decodeColumns} also wants the three bytes after the tag zero,
 * which a fractional time's next bytes almost never are.
 */
export const BATCH_COLUMNS_TAG = 1;

/**
 * Header: tag, 3 zero bytes, message count (uint32), one mode byte per
 * field (F_TIME .. p6), 4 zero bytes. A multiple of 8, so the bases that
 * follow are aligned.
 */
const HEADER_BYTES = 24;
const COUNT_AT = 4;
const MODES_AT = 8;
/**
 * Most messages a header may count (1.6 GB decoded). A batch whose fields
 * are all constant stores no bytes per message, so only this bound keeps a
 * corrupt count from asking for an array that cannot be allocated.
 */
const MESSAGES_MAX = 2 ** 24;

/** Column kinds, the high nibble of a field's mode byte. Every value +0: nothing stored. */
const KIND_ZERO = 0;
/** Safe integers, no -0: a float64 base (the least value), then each value less the base. */
const KIND_INT = 1;
/** Anything else: each value's low and high 32-bit words, each column of words as base + offsets. */
const KIND_WORDS = 2;

/** Bytes per offset by width code (bits 0-1 of a mode byte: the int or low-word lane; bits 2-3: the high-word lane). */
const WIDTH_BYTES = [0, 1, 2, 4] as const;
/** Lanes are written widest first so each starts aligned to its width without padding (width 0: nothing stored). */
const LANE_ORDER = [4, 2, 1, 0] as const;

/** The width code of offsets up to `range`. */
const widthCode = (range: number): number => (range === 0 ? 0 : range < 0x100 ? 1 : range < 0x10000 ? 2 : 3);

/** Per field of the batch being encoded: its mode byte and base (reused: encoding is synchronous). */
const modes = new Uint8Array(MSG_WIDTH);
/** An int column's base, or in its two 32-bit halves a words column's low- and high-word bases. */
const bases = new Float64Array(MSG_WIDTH);
const baseWords = new Uint32Array(bases.buffer);

/**
 * Sets the mode and base of field `f` from its values. A float64 keeps all
 * its bits in either kind: an int column only holds values that are exactly
 * `base + offset`, everything else (fractions, -0, NaN, infinities,
 * integers beyond 2^53 or 2^32 apart) is a words column.
 */
function planColumn(batch: Float64Array, words: Uint32Array, f: number, n: number): void {
  let min = Infinity;
  let max = -Infinity;
  let ints = true;
  for (let o = f, end = n * MSG_WIDTH; o < end; o += MSG_WIDTH) {
    const v = batch[o];
    // -0 === 0, so a zero's sign is checked apart (1 / -0 is -Infinity).
    if (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0)) {
      ints = false;
      break;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (ints && (n === 0 || (min === 0 && max === 0))) modes[f] = KIND_ZERO;
  else if (ints && max - min <= 0xffffffff) {
    modes[f] = (KIND_INT << 4) | widthCode(max - min);
    bases[f] = min;
  } else planWords(words, f, n);
}

/** {@link planColumn} for a words column. */
function planWords(words: Uint32Array, f: number, n: number): void {
  let loMin = 0xffffffff;
  let loMax = 0;
  let hiMin = 0xffffffff;
  let hiMax = 0;
  for (let w = 2 * f, end = 2 * n * MSG_WIDTH; w < end; w += 2 * MSG_WIDTH) {
    const lo = words[w];
    const hi = words[w + 1];
    if (lo < loMin) loMin = lo;
    if (lo > loMax) loMax = lo;
    if (hi < hiMin) hiMin = hi;
    if (hi > hiMax) hiMax = hi;
  }
  modes[f] = (KIND_WORDS << 4) | (widthCode(hiMax - hiMin) << 2) | widthCode(loMax - loMin);
  baseWords[2 * f] = loMin;
  baseWords[2 * f + 1] = hiMin;
}

/** Bytes per message of field `mode`'s lane `half` (0: the int or low-word lane, 1: the high-word lane). */
const laneBytes = (mode: number, half: number): number => WIDTH_BYTES[(mode >> (2 * half)) & 3];

/** A lane's offsets as a typed array of its width over `buf` at `at`. */
function laneView(buf: ArrayBufferLike, at: number, width: number, n: number): Uint8Array | Uint16Array | Uint32Array {
  return width === 4
    ? new Uint32Array(buf, at, n)
    : width === 2
      ? new Uint16Array(buf, at, n)
      : new Uint8Array(buf, at, n);
}

/** Writes field `f`'s lane `half` (values less their base) to `lane`. */
function writeLane(
  batch: Float64Array,
  words: Uint32Array,
  f: number,
  half: number,
  lane: Uint8Array | Uint16Array | Uint32Array,
): void {
  const n = lane.length;
  if (modes[f] >> 4 === KIND_INT) {
    const base = bases[f];
    for (let i = 0, o = f; i < n; i++, o += MSG_WIDTH) lane[i] = batch[o] - base;
    return;
  }
  const base = baseWords[2 * f + half];
  for (let i = 0, w = 2 * f + half; i < n; i++, w += 2 * MSG_WIDTH) lane[i] = words[w] - base;
}

/**
 * A batch in the column encoding: the header, then a base (8 bytes) per
 * field that is not all zero, then the lanes of offsets, widest first
 * (4-byte, 2-byte, 1-byte lanes, each in field order, low word before
 * high word). Deterministic: every byte depends only on the values' bits.
 */
export function encodeColumns(batch: Float64Array): Buffer {
  if (batch.length % MSG_WIDTH !== 0) throw new Error(`batch of ${batch.length} numbers is not whole messages`);
  const n = batch.length / MSG_WIDTH;
  if (n > MESSAGES_MAX) throw new Error(`batch of ${n} messages: more than the ${MESSAGES_MAX} a batch may hold`);
  // A Float64Array's offset is a multiple of 8, so its words can be read in place.
  const words = new Uint32Array(batch.buffer, batch.byteOffset, 2 * batch.length);
  let columns = 0;
  let perMessage = 0;
  for (let f = 0; f < MSG_WIDTH; f++) {
    planColumn(batch, words, f, n);
    if (modes[f] !== KIND_ZERO) columns++;
    perMessage += laneBytes(modes[f], 0) + laneBytes(modes[f], 1);
  }
  // Not from the pool: offset 0, so every lane is aligned to its width.
  const out = Buffer.allocUnsafeSlow(HEADER_BYTES + 8 * columns + n * perMessage);
  out.fill(0, 0, HEADER_BYTES);
  out[0] = BATCH_COLUMNS_TAG;
  out.writeUInt32LE(n, COUNT_AT);
  out.set(modes, MODES_AT);
  const outWords = new Uint32Array(out.buffer, 0, (HEADER_BYTES >> 2) + 2 * columns);
  let at = HEADER_BYTES;
  for (let f = 0; f < MSG_WIDTH; f++) {
    if (modes[f] === KIND_ZERO) continue;
    outWords[at >> 2] = baseWords[2 * f];
    outWords[(at >> 2) + 1] = baseWords[2 * f + 1];
    at += 8;
  }
  for (const width of LANE_ORDER) {
    for (let f = 0; f < MSG_WIDTH; f++) {
      for (let half = 0; half < 2; half++) {
        if (width === 0 || laneBytes(modes[f], half) !== width || (half === 1 && modes[f] >> 4 === KIND_INT)) continue;
        writeLane(batch, words, f, half, laneView(out.buffer, at, width, n));
        at += n * width;
      }
    }
  }
  return out;
}

/** Bytes of the batch `bytes` starts with (header checked), or throws. */
function checkedLength(bytes: Buffer): number {
  if (bytes.length < HEADER_BYTES) throw new BatchEncodingError(bytes, `shorter than the ${HEADER_BYTES}-byte header`);
  if (bytes[0] !== BATCH_COLUMNS_TAG)
    throw new BatchEncodingError(bytes, `tag ${bytes[0]} is not ${BATCH_COLUMNS_TAG}`);
  if (bytes[1] | bytes[2] | bytes[3] | bytes.readUInt32LE(MODES_AT + MSG_WIDTH))
    throw new BatchEncodingError(bytes, 'reserved header bytes are not zero');
  const n = bytes.readUInt32LE(COUNT_AT);
  if (n > MESSAGES_MAX)
    throw new BatchEncodingError(bytes, `its header counts ${n} messages, more than ${MESSAGES_MAX}`);
  let length = HEADER_BYTES;
  for (let f = 0; f < MSG_WIDTH; f++) {
    const mode = bytes[MODES_AT + f];
    const kind = mode >> 4;
    if (kind > KIND_WORDS || (kind === KIND_ZERO && mode !== 0) || (kind === KIND_INT && (mode & 0b1100) !== 0))
      throw new BatchEncodingError(bytes, `field ${f} has mode 0x${mode.toString(16)}`);
    if (kind !== KIND_ZERO) length += 8 + n * (laneBytes(mode, 0) + laneBytes(mode, 1));
  }
  if (length > bytes.length) throw new BatchEncodingError(bytes, `its header (${n} messages) wants ${length} bytes`);
  return length;
}

/** Scratch for input that is not 8-byte aligned (members of a Redis reply sit at any offset); grown as needed. */
let scratch = new ArrayBuffer(1 << 16);

/** `bytes` at an offset that is a multiple of 8: itself, or a copy in {@link scratch}. */
function aligned(bytes: Buffer): Buffer {
  if (bytes.byteOffset % 8 === 0) return bytes;
  if (scratch.byteLength < bytes.length) scratch = new ArrayBuffer(2 ** Math.ceil(Math.log2(bytes.length)));
  const copy = Buffer.from(scratch, 0, bytes.length);
  bytes.copy(copy);
  return copy;
}

/**
 * The batch {@link encodeColumns} wrote at the start of `input` and its
 * length in bytes (the caller decides what may follow it).
 *
 * @throws BatchEncodingError for another tag, a malformed header, or fewer bytes than the header says
 */
export function decodeColumns(input: Buffer): { batch: Float64Array; bytes: number } {
  const length = checkedLength(input);
  const bytes = aligned(input.subarray(0, length));
  const n = bytes.readUInt32LE(COUNT_AT);
  const out = new Float64Array(n * MSG_WIDTH);
  const outWords = new Uint32Array(out.buffer);
  const inWords = new Uint32Array(bytes.buffer, bytes.byteOffset, length >> 2);
  const baseAt = new Int32Array(MSG_WIDTH);
  let at = HEADER_BYTES;
  for (let f = 0; f < MSG_WIDTH; f++) {
    if (bytes[MODES_AT + f] === KIND_ZERO) continue;
    baseAt[f] = at;
    at += 8;
  }
  for (const width of LANE_ORDER) {
    for (let f = 0; f < MSG_WIDTH; f++) {
      const mode = bytes[MODES_AT + f];
      for (let half = 0; half < 2; half++) {
        if (mode === KIND_ZERO || laneBytes(mode, half) !== width || (half === 1 && mode >> 4 === KIND_INT)) continue;
        const lane = width === 0 ? null : laneView(bytes.buffer, bytes.byteOffset + at, width, n);
        if (mode >> 4 === KIND_INT) readInts(bytes.readDoubleLE(baseAt[f]), lane, n, out, f);
        else readWords(inWords[(baseAt[f] >> 2) + half], lane, n, outWords, 2 * f + half);
        at += n * width;
      }
    }
  }
  return { batch: out, bytes: length };
}

/** A lane of offsets; null for width 0 (every value is the base). */
type Lane = Uint8Array | Uint16Array | Uint32Array | null;

/** Int column `f` of `out`: base + offset. */
function readInts(base: number, lane: Lane, n: number, out: Float64Array, f: number): void {
  if (lane === null) for (let o = f, end = n * MSG_WIDTH; o < end; o += MSG_WIDTH) out[o] = base;
  else for (let i = 0, o = f; i < n; i++, o += MSG_WIDTH) out[o] = base + lane[i];
}

/** One word of each value of a words column (word `w` of the first message): base + offset, modulo 2^32. */
function readWords(base: number, lane: Lane, n: number, outWords: Uint32Array, w: number): void {
  if (lane === null) for (let end = 2 * n * MSG_WIDTH; w < end; w += 2 * MSG_WIDTH) outWords[w] = base;
  else for (let i = 0; i < n; i++, w += 2 * MSG_WIDTH) outWords[w] = base + lane[i];
}
