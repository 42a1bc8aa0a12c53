/**
 * The set a TLB entry tagged (tag0, tag1) lives in: one hash for
 * {@link Tlb.setBase} and for the access loop (access.loop.ts), which keeps
 * `Math.imul(ctag, SET_TAG0_MUL)` of its batch's context tag and calls
 * {@link setOf} per access. Kept this small on purpose: TurboFan inlines it
 * into the loop and into setBase, and what a function inlines counts against
 * the budget of every function that inlines it in turn (PartitionCache.peek
 * into the loop); see BENCHMARKS.md.
 */

/** The multiplier of the tag0 half of the set hash. */
export const SET_TAG0_MUL = 0x9e3779b1;

/**
 * The set of (tag0, tag1) among a TLB's sets, given `tag0Mul =
 * Math.imul(tag0, SET_TAG0_MUL)`: `setShift` when the set count is a power
 * of two (the hash's top bits), else `setsScale` (sets / 2^32):
 * multiply-shift range reduction, a float multiply instead of a slow
 * floating-point modulo on a value above 2^31.
 */
export function setOf(tag0Mul: number, tag1: number, setShift: number, setsScale: number): number {
  const h = tag0Mul ^ Math.imul(tag1 + 0x7f4a7c15, 0x85ebca77);
  return setShift >= 0 ? h >>> setShift : ((h >>> 0) * setsScale) | 0;
}
