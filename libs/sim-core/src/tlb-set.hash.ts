/**
 * The set a TLB entry tagged (tag0, tag1) lives in: one hash for
 * {@link Tlb.setBase} and for the access loop (access.loop.ts), which keeps
 * `tag0Mul` of its batch's context tag in a local and calls {@link setOf}
 * per access (small enough that V8 inlines it; see BENCHMARKS.md).
 */

/** The tag0 half of the set hash (a batch of accesses computes it once). */
export function tag0Mul(tag0: number): number {
  return Math.imul(tag0, 0x9e3779b1);
}

/**
 * The set of (tag0, tag1) among a TLB's sets: `setShift` when the set count
 * is a power of two (the hash's top bits), else `setsScale` (sets / 2^32):
 * multiply-shift range reduction, a float multiply instead of a slow
 * floating-point modulo on a value above 2^31.
 */
export function setOf(tag0Mul: number, tag1: number, setShift: number, setsScale: number): number {
  const h = tag0Mul ^ Math.imul(tag1 + 0x7f4a7c15, 0x85ebca77);
  return setShift >= 0 ? h >>> setShift : ((h >>> 0) * setsScale) | 0;
}
