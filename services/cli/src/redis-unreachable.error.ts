/** Redis did not answer in time: the CLI prints one line and exits 3 (a service is unreachable). */
export class RedisUnreachableError extends Error {
  constructor(readonly url: string, readonly timeoutMs: number) {
    super(`Redis at ${url} did not answer within ${timeoutMs} ms`);
    this.name = 'RedisUnreachableError';
  }
}
