/** Redis did not answer after the bounded retries of `probeRedis`; the message is one line naming the URL and the cause. */
export class RedisUnreachableError extends Error {
  constructor(readonly url: string, readonly reason: string, readonly attempts: number) {
    super(`cannot reach Redis at ${url}: ${reason} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
    this.name = 'RedisUnreachableError';
  }
}
