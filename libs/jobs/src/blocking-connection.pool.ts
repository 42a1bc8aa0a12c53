import { createRedis, TlbRedis } from './redis.client';

/** Idle connections a {@link BlockingConnectionPool} keeps at most. @defaultValue 8 */
export const BLOCKING_SPARE_MAX = 8;

/**
 * Connections for blocking reads (XREAD BLOCK), which hold their
 * connection while they wait and so cannot share the main one: lent one
 * per read, kept for the next up to {@link BLOCKING_SPARE_MAX}.
 */
export class BlockingConnectionPool {
  private readonly spare: TlbRedis[] = [];
  private readonly lent = new Set<TlbRedis>();

  constructor(private readonly redisUrl: string) {}

  /** Runs `fn` on a connection of the pool. */
  async borrow<T>(fn: (redis: TlbRedis) => Promise<T>): Promise<T> {
    const conn = this.spare.pop() ?? createRedis(this.redisUrl, 'tlbsim-blocking');
    this.lent.add(conn);
    try {
      return await fn(conn);
    } finally {
      this.lent.delete(conn);
      if (this.spare.length < BLOCKING_SPARE_MAX) this.spare.push(conn);
      else conn.disconnect();
    }
  }

  /** Drops every connection, idle or lent (a blocked read ends with an error). */
  disconnect(): void {
    for (const c of [...this.spare, ...this.lent]) c.disconnect();
    this.spare.length = 0;
  }
}
