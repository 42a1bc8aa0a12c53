import type { WorkerInfo } from '@tlbsim/contracts';
import { GlobalKeys } from './job.keys';
import { TlbRedis } from './redis.client';

/** Live workers: a sorted set by heartbeat time plus one expiring record each. */
export class WorkerRegistryRepository {
  private readonly g: GlobalKeys;

  constructor(
    private readonly redis: TlbRedis,
    prefix: string,
  ) {
    this.g = new GlobalKeys(prefix, redis.isCluster);
  }

  /** Records a heartbeat; the record expires after `ttlMs` if the worker dies. */
  async heartbeat(info: WorkerInfo, ttlMs: number): Promise<void> {
    const now = Date.parse(info.lastHeartbeatAt);
    await this.redis
      .multi()
      .set(this.g.worker(info.id), JSON.stringify(info), 'PX', ttlMs)
      .zadd(this.g.workers, now, info.id)
      .zremrangebyscore(this.g.workers, '-inf', now - 10 * ttlMs)
      .exec();
  }

  /** Removes a worker that shut down. */
  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.g.worker(id)).zrem(this.g.workers, id).exec();
  }

  /** Workers that heartbeat within `aliveMs`. */
  async alive(aliveMs: number): Promise<WorkerInfo[]> {
    const ids = await this.redis.zrangebyscore(this.g.workers, Date.now() - aliveMs, '+inf');
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(...ids.map((id) => this.g.worker(id)));
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerInfo);
  }
}
