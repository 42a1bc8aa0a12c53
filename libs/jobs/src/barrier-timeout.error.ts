/**
 * A shard waited at a window's barrier for the barrier timeout
 * (`BARRIER_TIMEOUT_MS`) while the shards it waits for made no progress:
 * they neither published the window nor were claimed again by a worker.
 * Their publish was lost (a Redis failover drops the last writes the old
 * master acknowledged: replication is asynchronous) or no worker runs them.
 * The job fails with this one line.
 */
export class BarrierTimeoutError extends Error {
  constructor(
    readonly jobId: string,
    readonly shard: number,
    readonly window: number,
    /** The shards that did not publish the window (empty: all did, but its barrier entry is gone). */
    readonly missing: readonly number[],
    readonly timeoutMs: number,
  ) {
    super(
      `waited ${secondsOf(timeoutMs)} at the barrier of window ${window} for ${missingText(missing)}` +
        ' with no progress (a write lost in a Redis failover, or no worker runs it)',
    );
    this.name = 'BarrierTimeoutError';
  }
}

/** `3 s`, `0.5 s`. */
function secondsOf(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** `shard 1`, `shards 1, 3`, `shards 1, 2, 3, 4, 5, 6, 7, 8 and 12 more`, or the barrier entry every shard published. */
function missingText(missing: readonly number[]): string {
  if (missing.length === 0) return 'its barrier entry (every shard published the window)';
  if (missing.length === 1) return `shard ${missing[0]}`;
  const shown = missing.slice(0, 8).join(', ');
  return `shards ${shown}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}`;
}
