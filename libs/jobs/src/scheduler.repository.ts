import { randomBytes } from 'crypto';
import { GlobalKeys } from './job.keys';
import { TlbRedis } from './redis.client';

/** Releases a lock only if it still holds our token. */
const UNLOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Admission state: jobs waiting for enough free shard slots (FIFO) and
 * admitted jobs with the slots they hold.
 */
export class SchedulerRepository {
  private readonly g: GlobalKeys;

  constructor(
    private readonly redis: TlbRedis,
    prefix: string,
  ) {
    this.g = new GlobalKeys(prefix, redis.isCluster);
  }

  /** Puts a job in the admission queue. */
  async enqueue(jobId: string, at: number): Promise<void> {
    await this.redis.zadd(this.g.pending, at, jobId);
  }

  /** Jobs waiting for admission, oldest first. */
  async pending(): Promise<string[]> {
    return this.redis.zrange(this.g.pending, 0, '-1');
  }

  /** How many jobs wait for admission. */
  async pendingCount(): Promise<number> {
    return this.redis.zcard(this.g.pending);
  }

  /** Admitted, unfinished jobs and their slots. */
  async running(): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(this.g.running);
    return new Map(Object.entries(h).map(([id, n]) => [id, Number(n)]));
  }

  /** Moves a job from pending to running with `slots` slots. */
  async admit(jobId: string, slots: number): Promise<void> {
    await this.redis.multi().hset(this.g.running, jobId, slots).zrem(this.g.pending, jobId).exec();
  }

  /** Puts an admitted job back in the queue at `at` (its submission time), freeing its slots. */
  async requeue(jobId: string, at: number): Promise<void> {
    await this.redis.multi().zadd(this.g.pending, at, jobId).hdel(this.g.running, jobId).exec();
  }

  /** Forgets a job (finished, failed or cancelled); frees its slots. */
  async release(jobId: string): Promise<void> {
    await this.redis.multi().hdel(this.g.running, jobId).zrem(this.g.pending, jobId).exec();
  }

  /** Takes the scheduler lock for `ttlMs`; returns a token to unlock with, or null if someone holds it. */
  async lock(ttlMs: number): Promise<string | null> {
    const token = randomBytes(8).toString('hex');
    return (await this.redis.set(this.g.schedulerLock, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
  }

  /** Releases the lock taken with `token`. */
  async unlock(token: string): Promise<void> {
    await this.redis.eval(UNLOCK_LUA, 1, this.g.schedulerLock, token);
  }
}
