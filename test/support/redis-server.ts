/**
 * A throwaway redis-server for integration tests: spawned from PATH on a free
 * port (never 6379, so a developer's own Redis is never touched), without
 * persistence, stopped by the suite. The same code `tlbsim serve` uses for
 * its private Redis.
 */
import { startLocalRedis } from '../../services/cli/src/local-cluster';

/** A running test Redis. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

/** Starts `redis-server` on a free port and waits until it answers PING (up to 10 s). */
export async function startRedis(): Promise<TestRedis> {
  const redis = await startLocalRedis('redis-server');
  return { url: redis.url, port: redis.port, stop: () => redis.stop(2000), kill: () => { redis.child.kill('SIGKILL'); return redis.stop(0); } };
}
