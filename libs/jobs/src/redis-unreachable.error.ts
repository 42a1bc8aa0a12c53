/**
 * Redis did not answer after the bounded retries of `probeRedis` (or a
 * cluster's commands failed after theirs: `attempts` 0, not shown); the
 * message is one line naming the URL and the cause.
 */
export class RedisUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(
      `cannot reach Redis at ${url}: ${reason}${attempts > 0 ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : ''}`,
    );
    this.name = 'RedisUnreachableError';
  }
}
