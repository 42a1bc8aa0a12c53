/**
 * The worker is stopping while this shard waits at a window's barrier: it
 * leaves instead of waiting for shards that may be stopping too (their
 * stop would never let the barrier pass).
 */
export class BarrierLeftError extends Error {
  constructor(
    readonly jobId: string,
    readonly shard: number,
    readonly window: number,
  ) {
    super(`shard ${shard} of job ${jobId} left the barrier of window ${window} (worker shutting down)`);
    this.name = 'BarrierLeftError';
  }
}
