/**
 * The order receivers see messages in: (time, src, seq), a total order
 * because (src, seq) is unique. Every window sorts its traffic by it (a
 * large fleet delivers thousands of partition broadcasts per window), so the
 * sort is a merge sort with the comparison inlined rather than
 * `Array.prototype.sort` with a comparator call per comparison. Runs that are
 * already in order (one sender's messages usually are) merge in linear time.
 */

/** Below this length a range is sorted by insertion. */
const INSERTION_MAX = 16;

/** True when the message at offset x of `b` comes before the one at offset y (time, src, seq). */
export function messageBefore(b: Float64Array, x: number, y: number): boolean {
  const tx = b[x];
  const ty = b[y];
  if (tx !== ty) return tx < ty;
  const sx = b[x + 1];
  const sy = b[y + 1];
  if (sx !== sy) return sx < sy;
  return b[x + 2] < b[y + 2];
}

/** Sorts `offsets` (record offsets into `buf`) in place by (time, src, seq). */
export function sortMessageOffsets(buf: Float64Array, offsets: number[]): void {
  const n = offsets.length;
  if (n < 2) return;
  if (n <= INSERTION_MAX) {
    insertion(buf, offsets, 0, n);
    return;
  }
  const scratch = offsets.slice();
  mergeSort(buf, scratch, offsets, 0, n);
}

/** Sorts dst[lo, hi) by insertion. */
function insertion(buf: Float64Array, dst: number[], lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = dst[i];
    let j = i - 1;
    while (j >= lo && messageBefore(buf, v, dst[j])) {
      dst[j + 1] = dst[j];
      j--;
    }
    dst[j + 1] = v;
  }
}

/** `src` and `dst` hold the same values on [lo, hi); on return dst[lo, hi) is sorted (src is scratch). */
function mergeSort(buf: Float64Array, src: number[], dst: number[], lo: number, hi: number): void {
  if (hi - lo <= INSERTION_MAX) {
    insertion(buf, dst, lo, hi);
    return;
  }
  const mid = (lo + hi) >>> 1;
  mergeSort(buf, dst, src, lo, mid);
  mergeSort(buf, dst, src, mid, hi);
  // Both halves are sorted in src now.
  if (!messageBefore(buf, src[mid], src[mid - 1])) {
    for (let i = lo; i < hi; i++) dst[i] = src[i];
    return;
  }
  let i = lo;
  let j = mid;
  for (let k = lo; k < hi; k++) {
    if (j >= hi || (i < mid && !messageBefore(buf, src[j], src[i]))) dst[k] = src[i++];
    else dst[k] = src[j++];
  }
}
