/** The worker is shutting down: the shard saved a snapshot and stopped; another run resumes it. */
export class ShardInterruptedError extends Error {
  constructor(
    readonly jobId: string,
    readonly shard: number,
    readonly window: number,
  ) {
    super(`shard ${shard} of job ${jobId} interrupted after window ${window} (worker shutting down)`);
    this.name = 'ShardInterruptedError';
  }
}
