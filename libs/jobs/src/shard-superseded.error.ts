/** A newer run of the same shard took over (BullMQ presumed this one stalled); this run stops. */
export class ShardSupersededError extends Error {
  constructor(
    readonly jobId: string,
    readonly shard: number,
  ) {
    super(`shard ${shard} of job ${jobId} was taken over by a newer run`);
    this.name = 'ShardSupersededError';
  }
}
