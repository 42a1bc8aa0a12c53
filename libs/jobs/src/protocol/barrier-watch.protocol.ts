/**
 * The barrier timeout of a waiting shard as a pure transition: the shard
 * looks at the barrier's progress every few seconds while it waits; any
 * publish or claim by the shards it waits for restarts the clock; none for
 * the timeout fails the job (`BarrierTimeoutError`). Time is an input.
 */

/** Most time between two looks at a stuck barrier's progress (a tenth of the timeout if less). @defaultValue 5000 */
export const PROGRESS_PROBE_MS = 5000;

/** What a waiting shard remembers about the barrier's progress. */
export interface BarrierWatch {
  /** When the progress last changed (or the wait began). */
  sinceMs: number;
  /** When the progress was last looked at. */
  probedAtMs: number;
  /** The progress signature seen last ('' before the first look). */
  signature: string;
}

/** A watch started at `nowMs`. */
export function startWatch(nowMs: number): BarrierWatch {
  return { sinceMs: nowMs, probedAtMs: nowMs, signature: '' };
}

/** True if it is time to look at the barrier's progress again. */
export function probeDue(w: BarrierWatch, nowMs: number, timeoutMs: number): boolean {
  return nowMs - w.probedAtMs >= Math.min(PROGRESS_PROBE_MS, timeoutMs / 10);
}

/** The watch after a look at the barrier's progress, and whether the wait timed out. */
export function afterProbe(
  w: BarrierWatch,
  nowMs: number,
  signature: string,
  timeoutMs: number,
): { watch: BarrierWatch; timedOut: boolean } {
  const sinceMs = w.signature && signature !== w.signature ? nowMs : w.sinceMs;
  return { watch: { sinceMs, probedAtMs: nowMs, signature }, timedOut: nowMs - sinceMs >= timeoutMs };
}
