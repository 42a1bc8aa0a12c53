/**
 * When a running shard records a checkpoint: its counters and witnesses
 * after a window, from which a cancelled or failed job's partial report is
 * built. Every shard of a job checkpoints at the same windows, so the
 * latest window all shards checkpointed gives a consistent cut; what a
 * shard recorded at a window is deterministic, so a resumed or stale run
 * writing it again writes the same thing.
 */

/** Checkpoints each shard keeps (the older ones are dropped); shards are at most one checkpoint apart. */
export const CHECKPOINTS_KEPT = 3;

/**
 * True if a shard records a checkpoint after `windowsDone` windows: at every
 * `run.snapshotEveryWindows` windows, and at the powers of two below it (1,
 * 2, 4, ...), so even a job stopped early keeps what its first windows found.
 */
export function isCheckpointWindow(windowsDone: number, snapshotEveryWindows: number): boolean {
  if (windowsDone <= 0) return false;
  if (windowsDone % snapshotEveryWindows === 0) return true;
  return windowsDone < snapshotEveryWindows && (windowsDone & (windowsDone - 1)) === 0;
}

/** The hash field of shard `shard`'s checkpoint after `windowsDone` windows. */
export function checkpointField(windowsDone: number, shard: number): string {
  return `${windowsDone}:${shard}`;
}

/**
 * The latest window count every one of `shards` shards checkpointed, among
 * hash fields `<windowsDone>:<shard>`; null if there is none.
 */
export function latestCommonCheckpoint(fields: readonly string[], shards: number): number | null {
  const byWindow = new Map<number, Set<number>>();
  for (const f of fields) {
    const [w, s] = f.split(':').map(Number);
    if (!Number.isInteger(w) || !Number.isInteger(s)) continue;
    const set = byWindow.get(w) ?? new Set<number>();
    set.add(s);
    byWindow.set(w, set);
  }
  let best: number | null = null;
  for (const [w, set] of byWindow) if (set.size === shards && (best === null || w > best)) best = w;
  return best;
}
