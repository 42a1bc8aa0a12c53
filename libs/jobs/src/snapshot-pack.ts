/**
 * The zero-word packing of a snapshot's typed arrays (encoding 3, see
 * shard-snapshot.codec.ts): an array of n 32-bit words is stored as a bitmap
 * of ceil(n / 32) words (bit k of bitmap word b: word 32b + k is not zero),
 * then the words that are not zero, in order. Half to two thirds of a kernel
 * snapshot's words are zero (empty TLB slots, high halves of small numbers).
 *
 * Measured on fleet.yaml's 512-vCPU shard (16.2 M words): the branchy scan
 * below beats branch-free forms (a store of every word with a conditional
 * advance: +20 %) because the kernel's arrays repeat with a short period
 * (one word in six set, in 40 % of the 32-word blocks) that the branch
 * predictor learns; a whole-block zero test helps little (3 % of the
 * 32-word blocks are all zero).
 */

/** The most words {@link pack} writes for `n` words: every word kept, plus the bitmap. */
export const packedWordsBound = (n: number): number => n + ((n + 31) >>> 5);

/**
 * Writes `src` at word `at` of `out` without its zero words (the layout
 * above). Compares the 32-bit words as integers, so -0 and NaN payloads
 * (in a Float64Array's halves) are kept bit for bit. Writes exactly the
 * words it returns, no further: `out` may hold stale data past them.
 */
export function pack(src: Int32Array, out: Int32Array, at: number): number {
  const n = src.length;
  const full = n >>> 5;
  let w = at + ((n + 31) >>> 5);
  for (let b = 0; b < full; b++) {
    const base = b << 5;
    let bits = 0;
    // Unrolled by four: a fixed trip count and fewer loop tests (about 10 % faster than one word a turn).
    for (let k = 0; k < 32; k += 4) {
      const v0 = src[base + k];
      const v1 = src[base + k + 1];
      const v2 = src[base + k + 2];
      const v3 = src[base + k + 3];
      if (v0 !== 0) {
        bits |= 1 << k;
        out[w++] = v0;
      }
      if (v1 !== 0) {
        bits |= 2 << k;
        out[w++] = v1;
      }
      if (v2 !== 0) {
        bits |= 4 << k;
        out[w++] = v2;
      }
      if (v3 !== 0) {
        bits |= 8 << k;
        out[w++] = v3;
      }
    }
    out[at + b] = bits;
  }
  if (full << 5 < n) {
    let bits = 0;
    for (let i = full << 5, k = 0; i < n; i++, k++) {
      const v = src[i];
      if (v !== 0) {
        bits |= 1 << k;
        out[w++] = v;
      }
    }
    out[at + full] = bits;
  }
  return w - at;
}

/**
 * The inverse of {@link pack}: reads the packed words at word `at` of `src`
 * into `dst`, which must be zero-filled (only the words that are not zero
 * are written). Returns the words read.
 */
export function unpack(src: Int32Array, at: number, dst: Int32Array): number {
  const m = (dst.length + 31) >>> 5;
  let r = at + m;
  for (let b = 0; b < m; b++) {
    for (let bits = src[at + b]; bits !== 0; bits &= bits - 1) dst[(b << 5) + 31 - Math.clz32(bits & -bits)] = src[r++];
  }
  return r - at;
}

/** Where an encoding is written: its bytes (word-aligned) and a {@link pack} of one array into them. */
export interface PackTarget {
  /** At least the bytes asked for; stale data from the previous encoding until written over. */
  readonly bytes: Buffer;
  /**
   * {@link pack} of `src` at word `at` of {@link bytes}: the same words,
   * though it may write up to 3 words of scratch past them (the caller
   * writes what comes next or zeroes it as padding).
   */
  pack(src: Int32Array, at: number): number;
}

/** Bytes of wasm memory before the output: the 16 shuffles (256 bytes), then the input window. */
const WASM_INPUT = 256;
/** The input window: arrays are copied in by this many bytes (whole 32-word blocks) at a time. */
const WASM_CHUNK = 1 << 20;
const WASM_OUT = WASM_INPUT + WASM_CHUNK;
const WASM_PAGE = 65536;

/** The wasm scan: `pack(src, nWords, bitmapAt, dataAt)` (byte offsets, nWords a multiple of 32) returns the data's end. */
interface WasmPack {
  pack: (src: number, n: number, bm: number, w: number) => number;
  mem: WebAssembly.Memory;
}

const uleb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >>> 7)]);
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32 = (x: number): number[] => [0x41, ...uleb(x)]; // non-negative constants under 64 only (signed LEB)
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const [ADD, SHL, OR, POPCNT, GE_U, LT_U, BR_IF] = [0x6a, 0x74, 0x72, 0x69, 0x4f, 0x49, 0x0d];
const [BLOCK, LOOP, END, VOID] = [0x02, 0x03, 0x0b, 0x40];
const V128_LOAD = (alignLog2: number): number[] => [...simd(0x00), alignLog2, 0];
const V128_STORE = [...simd(0x0b), 2, 0];
const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const [I8X16_SWIZZLE, I32X4_NE, I32X4_BITMASK] = [0x0e, 0x38, 0xa4];

/**
 * The block scan of {@link pack} in WebAssembly SIMD, assembled here (no
 * build step): 4 words at a time, `i32x4.ne` against zero and `bitmask`
 * give their 4 bits, a shuffle from a 16-entry table moves the words that
 * are not zero to the front, one 16-byte store, the output advances by the
 * popcount. Locals: parameters src 0, n 1, bm 2, w 3; end 4, bits 5, k 6,
 * mask 7 (i32); v 8 (v128).
 */
function wasmModule(): Uint8Array<ArrayBuffer> {
  const code = [
    [...get(0), ...get(1), ...i32(2), SHL, ADD, ...set(4)], // end = src + 4 n
    [BLOCK, VOID, LOOP, VOID], // a 32-word block a turn
    [...get(0), ...get(4), GE_U, BR_IF, 1], // out at the end
    [...i32(0), ...set(5), ...i32(0), ...set(6)], // bits = 0, k = 0
    [LOOP, VOID], // 4 words a turn
    [...get(0), ...V128_LOAD(2), ...set(8)], // v = the 4 words at src
    [...get(8), ...V128_ZERO, ...simd(I32X4_NE), ...simd(I32X4_BITMASK), ...set(7)], // mask: those not zero
    [...get(3), ...get(8), ...get(7), ...i32(4), SHL, ...V128_LOAD(4), ...simd(I8X16_SWIZZLE), ...V128_STORE], // at w
    [...get(3), ...get(7), POPCNT, ...i32(2), SHL, ADD, ...set(3)], // w += 4 popcount(mask)
    [...get(5), ...get(7), ...get(6), SHL, OR, ...set(5)], // bits |= mask << k
    [...get(0), ...i32(16), ADD, ...set(0)], // src += 16
    [...get(6), ...i32(4), ADD, 0x22, 6, ...i32(32), LT_U, BR_IF, 0, END], // k += 4, again while k < 32
    [...get(2), ...get(5), 0x36, 2, 0, ...get(2), ...i32(4), ADD, ...set(2)], // store bits at bm, bm += 4
    [0x0c, 0, END, END, ...get(3), END], // next block; return w
  ].flat();
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const name = (s: string): number[] => [s.length, ...Buffer.from(s)];
  const body = [
    ...vec([
      [4, 0x7f],
      [1, 0x7b],
    ]),
    ...code,
  ];
  // Shuffle m: the bytes of the words whose bit is set in m, in order, then 0x80 (out of range: zero).
  const shuffles = Array.from({ length: 16 }, (_, m) => {
    const row = [0, 1, 2, 3].filter((j) => m & (1 << j)).flatMap((j) => [4 * j, 4 * j + 1, 4 * j + 2, 4 * j + 3]);
    return [...row, ...new Array<number>(16 - row.length).fill(0x80)];
  }).flat();
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]])), // (i32 x4) -> i32
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, ...uleb(Math.ceil(WASM_OUT / WASM_PAGE))]])),
    ...section(
      7,
      vec([
        [...name('pack'), 0x00, 0],
        [...name('mem'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(body.length), ...body]])),
    ...section(11, vec([[0x00, ...i32(0), END, ...uleb(256), ...shuffles]])), // the shuffles at byte 0
  ]);
}

/**
 * The wasm scan, or null where WebAssembly SIMD is missing. On fleet.yaml's
 * 512-vCPU shard 12-16 ms of CPU against 27 ms for the JS scan, the copy
 * of every array into the wasm memory included.
 */
function loadWasmPack(): WasmPack | null {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(wasmModule())).exports as unknown as WasmPack;
  } catch {
    return null;
  }
}

let wasm: WasmPack | null | undefined;
/** The JS scan's target where wasm is missing, kept from one encoding to the next. */
let plain = Buffer.alloc(0);

/**
 * A {@link PackTarget} of at least `byteLength` bytes, kept from one
 * encoding to the next (the wasm memory, or a buffer) so that its pages
 * are mapped once: resident, what the largest encoding wrote. The next
 * call reuses it: what the caller keeps must be copied out first. `js`:
 * the JS scan even where wasm is there (what runs where it is not).
 */
export function packTarget(byteLength: number, js = false): PackTarget {
  if (wasm === undefined) wasm = loadWasmPack();
  if (wasm === null || js) {
    if (plain.length < byteLength) plain = Buffer.allocUnsafeSlow(Math.ceil(byteLength / 2 ** 20) * 2 ** 20);
    const words = new Int32Array(plain.buffer, plain.byteOffset, plain.length >> 2);
    return { bytes: plain, pack: (src, at) => pack(src, words, at) };
  }
  const { mem, pack: scan } = wasm;
  // 16 bytes of slack: the last store of 4 words may reach past the bound.
  const pages = Math.ceil((WASM_OUT + byteLength + 16) / WASM_PAGE) - mem.buffer.byteLength / WASM_PAGE;
  if (pages > 0) mem.grow(pages);
  const input = new Uint8Array(mem.buffer, WASM_INPUT, WASM_CHUNK);
  const words = new Int32Array(mem.buffer, WASM_OUT);
  const blocksPerChunk = WASM_CHUNK >>> 7;
  return {
    bytes: Buffer.from(mem.buffer, WASM_OUT, byteLength),
    pack(src, at) {
      const n = src.length;
      const full = n >>> 5;
      let bm = WASM_OUT + 4 * at;
      let w = bm + 4 * ((n + 31) >>> 5);
      for (let b = 0; b < full; b += blocksPerChunk) {
        const blocks = Math.min(blocksPerChunk, full - b);
        input.set(new Uint8Array(src.buffer, src.byteOffset + 128 * b, 128 * blocks));
        w = scan(WASM_INPUT, 32 * blocks, bm, w);
        bm += 4 * blocks;
      }
      // The last, partial block in JS: pack's own tail on a view from it.
      let wi = (w - WASM_OUT) >> 2;
      if (full << 5 < n) {
        const tail = src.subarray(full << 5);
        let bits = 0;
        for (let k = 0; k < tail.length; k++) {
          if (tail[k] !== 0) {
            bits |= 1 << k;
            words[wi++] = tail[k];
          }
        }
        words[(bm - WASM_OUT) >> 2] = bits;
      }
      return wi - at;
    },
  };
}
