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

/**
 * {@link pack} of `src` XOR `base` (the words that changed since `base`,
 * as their XOR), and `base` set to `src` on the way: the next delta's base
 * is this state. One pass over both: a delta segment of an incremental
 * snapshot (shard-snapshot.codec.ts) is what changed, and a 512-vCPU shard
 * holds 16 M words, so a second pass would cost as much again. `src` and
 * `base` have the same length.
 */
export function packDelta(src: Int32Array, base: Int32Array, out: Int32Array, at: number): number {
  const n = src.length;
  const full = n >>> 5;
  let w = at + ((n + 31) >>> 5);
  for (let b = 0; b < full; b++) {
    const start = b << 5;
    let bits = 0;
    // Unrolled by two as pack is by four (the XOR and the base's store make each word dearer).
    for (let k = 0; k < 32; k += 2) {
      const i = start + k;
      const v0 = src[i];
      const v1 = src[i + 1];
      const x0 = v0 ^ base[i];
      const x1 = v1 ^ base[i + 1];
      if (x0 !== 0) {
        bits |= 1 << k;
        out[w++] = x0;
        base[i] = v0;
      }
      if (x1 !== 0) {
        bits |= 2 << k;
        out[w++] = x1;
        base[i + 1] = v1;
      }
    }
    out[at + b] = bits;
  }
  if (full << 5 < n) {
    let bits = 0;
    for (let i = full << 5, k = 0; i < n; i++, k++) {
      const v = src[i];
      const x = v ^ base[i];
      if (x !== 0) {
        bits |= 1 << k;
        out[w++] = x;
        base[i] = v;
      }
    }
    out[at + full] = bits;
  }
  return w - at;
}

/** The inverse of {@link packDelta}: XORs the packed words at word `at` of `src` into `dst` (the base). Returns the words read. */
export function unpackDelta(src: Int32Array, at: number, dst: Int32Array): number {
  const m = (dst.length + 31) >>> 5;
  let r = at + m;
  for (let b = 0; b < m; b++) {
    for (let bits = src[at + b]; bits !== 0; bits &= bits - 1)
      dst[(b << 5) + 31 - Math.clz32(bits & -bits)] ^= src[r++];
  }
  return r - at;
}
