/**
 * A job that existed has no records left in Redis: typically a Redis
 * restarted without persistence (or flushed) while the job ran.
 */
export class JobGoneError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId}: the job's records are gone from Redis: was it restarted without persistence?`);
    this.name = 'JobGoneError';
  }
}
