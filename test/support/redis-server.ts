/**
 * A throwaway redis-server for integration tests: spawned from PATH on a free
 * port (never 6379, so a developer's own Redis is never touched), with an
 * append-only file in a temporary directory (a restart loses nothing),
 * stopped by the suite. The same code `tlbsim serve` uses for its private
 * Redis.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LocalRedis, startLocalRedis } from '../../services/cli/src/local-cluster';

/** A running test Redis. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and removes its data. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; its data stays for {@link restart}. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data (after {@link kill}). */
  restart(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port and waits until it answers PING (up to
 * 10 s). `fsyncAlways`: every write reaches the disk before Redis answers, so
 * a {@link TestRedis.kill} loses nothing (slower; for restart tests).
 */
export async function startRedis(opts: { fsyncAlways?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tlbsim-test-redis-'));
  const fsync = opts.fsyncAlways ? 'always' : 'everysec';
  let server: LocalRedis = await startLocalRedis('redis-server', undefined, dir, fsync);
  return {
    url: server.url,
    port: server.port,
    stop: async () => {
      await server.stop(2000);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => {
      server.child.kill('SIGKILL');
      return server.stop(0);
    },
    restart: async () => {
      server = await startLocalRedis('redis-server', server.port, dir, fsync);
    },
  };
}
