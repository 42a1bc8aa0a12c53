/** The typed arrays a kernel snapshot holds (TLB slots, partition fillers, VM views, MMU maps, allocator tables). */
type SavedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float64Array;

/** How `save()` methods hand out their typed arrays. */
export interface SaveOptions {
  /**
   * Hand out the live typed arrays instead of copies: the result is valid
   * only until the shard runs again (or is restored into), so it must be
   * consumed at once, as the distributed path's synchronous encoding does.
   * Nearly all of a snapshot is typed arrays (65 MB for 512 vCPUs); a
   * caller that copies them anyway need not pay for a copy first.
   * @defaultValue false
   */
  alias?: boolean;
}

/**
 * `a` as a snapshot holds it: a copy, or `a` itself with `opts.alias`. The
 * one place that decides, so every `save()` follows the same rule.
 */
export function savedArray<T extends SavedArray>(a: T, opts?: SaveOptions): T {
  return opts?.alias ? a : (a.slice() as T);
}
