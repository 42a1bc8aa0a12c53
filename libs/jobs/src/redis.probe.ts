import Redis from 'ioredis';
import { RedisUnreachableError } from './redis-unreachable.error';

/** Bounds of {@link probeRedis}. */
export interface RedisProbeOptions {
  /** Connection attempts before giving up. @defaultValue 4 */
  attempts?: number;
  /** Delay before the second attempt, doubled after each further one. @defaultValue 250 */
  firstDelayMs?: number;
  /** Time one attempt may take to connect and answer PING (a black-holed host never refuses). @defaultValue 2000 */
  attemptTimeoutMs?: number;
}

/** The cause of a failed attempt as users read it (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND host`). */
function causeOf(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = (e?.message ?? String(error)).split('\n')[0];
  return message || e?.code || 'unknown error';
}

/** One attempt: connect, PING, disconnect. */
async function attempt(url: string, timeoutMs: number): Promise<void> {
  // No retries of its own and no offline queue: the loop in probeRedis owns the retry policy.
  const redis = new Redis(url, {
    lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null,
    connectTimeout: timeoutMs, commandTimeout: timeoutMs, connectionName: 'tlbsim-probe',
  });
  // The error event carries the cause (ECONNREFUSED ...); the rejection only says "Connection is closed".
  let cause: unknown;
  redis.on('error', (e) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks that Redis at `url` answers, with bounded retries and exponential
 * backoff, before a command opens its long-lived connections (which retry
 * forever by design: BullMQ needs `maxRetriesPerRequest: null`). Throws
 * {@link RedisUnreachableError} after the last failed attempt.
 */
export async function probeRedis(url: string, opts: RedisProbeOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 4;
  let delayMs = opts.firstDelayMs ?? 250;
  let cause = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      await attempt(url, opts.attemptTimeoutMs ?? 2000);
      return;
    } catch (error) {
      cause = causeOf(error);
    }
    if (i < attempts) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }
  throw new RedisUnreachableError(url, cause, attempts);
}
