import type { SweepPoint, SweepRow, SweepState } from '@tlbsim/contracts';
import { pipelineEach } from './redis.batch';
import type { TlbRedis } from './redis.client';
import { SweepKeys } from './sweep.keys';

/** What is stored about a sweep when it is submitted. */
export interface SweepMeta {
  id: string;
  name: string;
  createdAt: string;
  gridKeys: string[];
  policies: string[];
  seeds: number;
  points: number;
  state: SweepState;
  finishedAt: string | null;
  error: string | null;
}

/** A point as stored for the worker that runs it. */
export type StoredSweepPoint = Pick<SweepPoint, 'index' | 'grid' | 'policy' | 'seed' | 'config'>;

/** Points written per round trip when a sweep is stored. */
const POINTS_PER_WRITE = 256;

/** Sweeps in Redis: metadata, points, finished rows, the index. The only code touching sweep keys. */
export class SweepRepository {
  constructor(private readonly redis: TlbRedis, private readonly prefix: string) {}

  private keys(id: string): SweepKeys {
    return new SweepKeys(this.prefix, id);
  }

  /** Stores a new sweep's metadata and points and indexes it. */
  async create(meta: SweepMeta, points: readonly StoredSweepPoint[]): Promise<void> {
    const k = this.keys(meta.id);
    for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
      const chunk = points.slice(i, i + POINTS_PER_WRITE).flatMap((p) => [String(p.index), JSON.stringify(p)]);
      await this.redis.hset(k.points, ...chunk);
    }
    await this.redis.hset(k.meta, encodeMeta(meta));
    await this.redis.zadd(SweepKeys.index(this.prefix, this.redis.isCluster), Date.parse(meta.createdAt), meta.id);
  }

  /** A sweep's metadata, or null if unknown or expired. */
  async meta(id: string): Promise<SweepMeta | null> {
    return decodeMeta(await this.redis.hgetall(this.keys(id).meta));
  }

  /** One stored point, or null. */
  async point(id: string, index: number): Promise<StoredSweepPoint | null> {
    const text = await this.redis.hget(this.keys(id).points, String(index));
    return text ? (JSON.parse(text) as StoredSweepPoint) : null;
  }

  /** Stores a finished row. @returns the number of rows stored so far */
  async saveRow(id: string, row: SweepRow): Promise<number> {
    const k = this.keys(id);
    const res = await this.redis.multi().hset(k.rows, String(row.index), JSON.stringify(row)).hlen(k.rows).exec();
    const [err, count] = res?.[1] ?? [new Error('no reply'), 0];
    if (err) throw err;
    return Number(count);
  }

  /** Finished rows, in no particular order. */
  async rows(id: string): Promise<SweepRow[]> {
    return Object.values(await this.redis.hgetall(this.keys(id).rows)).map((t) => JSON.parse(t) as SweepRow);
  }

  /** Rows stored so far. */
  async rowCount(id: string): Promise<number> {
    return this.redis.hlen(this.keys(id).rows);
  }

  /**
   * Ends a sweep (completed or failed) unless it already ended, and lets its
   * keys expire after `retentionSec`. @returns false if it had already ended
   */
  async finish(id: string, state: Exclude<SweepState, 'running'>, error: string | null, retentionSec: number): Promise<boolean> {
    const k = this.keys(id);
    // In Lua so two workers ending the same sweep (last point, a failure) agree on one outcome.
    const lua = `if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
      redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finishedAt', ARGV[2], 'error', ARGV[3])
      for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end return 1`;
    const done = await this.redis.eval(lua, 3, k.meta, k.points, k.rows, state, new Date().toISOString(), error ?? '', retentionSec);
    return done === 1;
  }

  /** The states of several sweeps (null where unknown or expired), in one round trip. */
  async states(ids: readonly string[]): Promise<(SweepState | null)[]> {
    if (ids.length === 0) return [];
    return (await pipelineEach(this.redis, ids, (p, id) => p.hget(this.keys(id).meta, 'state'))).map(([err, v]) => {
      if (err) throw err;
      return (v as SweepState | null) ?? null;
    });
  }

  /** Keeps the newest `max` sweeps in the index (older ones have expired or soon will). */
  async prune(max: number): Promise<void> {
    await this.redis.zremrangebyrank(SweepKeys.index(this.prefix, this.redis.isCluster), 0, -(max + 1));
  }

  /** Sweep ids, newest first, and how many there are. */
  async ids(offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const key = SweepKeys.index(this.prefix, this.redis.isCluster);
    const [ids, total] = await Promise.all([this.redis.zrevrange(key, offset, offset + limit - 1), this.redis.zcard(key)]);
    return { ids, total };
  }
}

function encodeMeta(meta: SweepMeta): Record<string, string> {
  return {
    id: meta.id, name: meta.name, createdAt: meta.createdAt, gridKeys: JSON.stringify(meta.gridKeys), policies: JSON.stringify(meta.policies),
    seeds: String(meta.seeds), points: String(meta.points), state: meta.state, finishedAt: meta.finishedAt ?? '', error: meta.error ?? '',
  };
}

function decodeMeta(h: Record<string, string>): SweepMeta | null {
  if (!h.id) return null;
  return {
    id: h.id, name: h.name, createdAt: h.createdAt, gridKeys: JSON.parse(h.gridKeys) as string[], policies: JSON.parse(h.policies) as string[],
    seeds: Number(h.seeds), points: Number(h.points), state: h.state as SweepState, finishedAt: h.finishedAt || null, error: h.error || null,
  };
}
