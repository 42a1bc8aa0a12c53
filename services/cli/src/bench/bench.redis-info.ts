/** What the benchmarks read of a Redis server's INFO: its CPU so far and the bytes it read from its clients. */
import Redis from 'ioredis';

/** A Redis server's CPU so far (main thread, background threads and forked children), ms, and its input bytes. */
export interface RedisUse {
  cpuMs: number;
  inputBytes: number;
}

/** The field `name` of an INFO reply (0 if absent). */
const field = (info: string, name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);

/** {@link RedisUse} of the server `redis` is connected to. */
export async function redisUseOf(redis: Pick<Redis, 'info'>): Promise<RedisUse> {
  const info = await redis.info();
  // With its children: the AOF rewrites that snapshots' bytes set off run in forked processes.
  const parts = ['used_cpu_user', 'used_cpu_sys', 'used_cpu_user_children', 'used_cpu_sys_children'];
  return {
    cpuMs: parts.reduce((n, p) => n + field(info, p), 0) * 1000,
    inputBytes: field(info, 'total_net_input_bytes'),
  };
}

/** {@link RedisUse} of the one server at `url` (null for a Redis Cluster: its use is spread over its nodes). */
export async function redisUseAt(url: string): Promise<RedisUse | null> {
  if (!url.startsWith('redis://')) return null;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    return await redisUseOf(redis);
  } finally {
    redis.disconnect();
  }
}
