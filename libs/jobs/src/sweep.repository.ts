import type { SweepEvent, SweepKind, SweepPoint, SweepRow, SweepState } from '@tlbsim/contracts';
import type { PointAnswer, RunReport } from '@tlbsim/engine';
import type { ViolationClass } from '@tlbsim/sim-core';
import { readEventEntries } from './event-stream.repository';
import { pipelineEach } from './redis.batch';
import type { TlbRedis } from './redis.client';
import { SweepKeys } from './sweep.keys';

/** What is stored about a sweep when it is submitted. */
export interface SweepMeta {
  id: string;
  /** A sweep, or the batches of a hunt or a shrink. @defaultValue 'sweep' */
  kind: SweepKind;
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

/** The fields every view of a job in the sweep store (a sweep, a compare job) opens with, as stored. */
export function sweepMetaHeaderOf(
  meta: SweepMeta,
): Pick<SweepMeta, 'id' | 'name' | 'state' | 'createdAt' | 'finishedAt'> {
  return { id: meta.id, name: meta.name, state: meta.state, createdAt: meta.createdAt, finishedAt: meta.finishedAt };
}

/**
 * A point as stored for the worker that runs it. A point of a hunt or a
 * shrink has `search`: it runs until its first violation (of `cls`) and its
 * answer is stored for the search.
 */
export type StoredSweepPoint = Pick<SweepPoint, 'index' | 'grid' | 'policy' | 'seed' | 'config'> & {
  search?: { cls: ViolationClass | null };
};

/** A sweep event before it is appended (the stream assigns its id). */
export type NewSweepEvent = Omit<SweepEvent, 'id' | 'at' | 'sweepId'>;

/** Events kept per sweep stream (older progress is trimmed). */
const EVENTS_KEPT = 2000;

/** Points written per round trip when a sweep is stored. */
const POINTS_PER_WRITE = 256;

/** Sweeps in Redis: metadata, points, finished rows, the index. The only code touching sweep keys. */
export class SweepRepository {
  constructor(
    private readonly redis: TlbRedis,
    private readonly prefix: string,
  ) {}

  private keys(id: string): SweepKeys {
    return new SweepKeys(this.prefix, id);
  }

  /** Stores a new sweep's metadata and points and indexes it (in the index of its kind). */
  async create(meta: SweepMeta, points: readonly StoredSweepPoint[]): Promise<void> {
    await this.savePoints(meta.id, points);
    await this.redis.hset(this.keys(meta.id).meta, encodeMeta(meta));
    await this.redis.zadd(
      SweepKeys.index(this.prefix, this.redis.isCluster, meta.kind),
      Date.parse(meta.createdAt),
      meta.id,
    );
  }

  private async savePoints(id: string, points: readonly StoredSweepPoint[]): Promise<void> {
    for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
      const chunk = points.slice(i, i + POINTS_PER_WRITE).flatMap((p) => [String(p.index), JSON.stringify(p)]);
      await this.redis.hset(this.keys(id).points, ...chunk);
    }
  }

  /** Adds the next batch of a hunt or shrink: its points, then the new point count (so the batch is complete before a worker sees it). */
  async addBatch(id: string, points: readonly StoredSweepPoint[], pointsTotal: number): Promise<void> {
    await this.savePoints(id, points);
    await this.redis.hset(this.keys(id).meta, 'points', String(pointsTotal));
  }

  /** Stores the answer of a hunt's or shrink's point (before its row, which counts it as done). */
  async saveAnswer(id: string, index: number, answer: PointAnswer): Promise<void> {
    await this.redis.hset(this.keys(id).answers, String(index), JSON.stringify(answer));
  }

  /** The answers of points `from` to `to - 1`, in order. @throws Error if one is missing */
  async answers(id: string, from: number, to: number): Promise<PointAnswer[]> {
    if (to <= from) return [];
    const fields = Array.from({ length: to - from }, (_, i) => String(from + i));
    const texts = await this.redis.hmget(this.keys(id).answers, ...fields);
    return texts.map((t, i) => {
      if (t === null) throw new Error(`point ${from + i} has no answer`);
      return JSON.parse(t) as PointAnswer;
    });
  }

  /** Stores the whole report of a compare job's point (in the answers hash: a compare has no search). */
  async saveReport(id: string, index: number, report: RunReport): Promise<void> {
    await this.redis.hset(this.keys(id).answers, String(index), JSON.stringify(report));
  }

  /** The reports of a compare job's points 0..`count - 1`, in order; null where a point has not finished. */
  async reports(id: string, count: number): Promise<(RunReport | null)[]> {
    if (count <= 0) return [];
    const texts = await this.redis.hmget(this.keys(id).answers, ...Array.from({ length: count }, (_, i) => String(i)));
    return texts.map((t) => (t === null ? null : (JSON.parse(t) as RunReport)));
  }

  /** The search hash of a hunt or shrink (request, state, batch start, result), as stored. */
  async search(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys(id).search);
  }

  /** Sets fields of the search hash. */
  async saveSearch(id: string, fields: Record<string, string>): Promise<void> {
    await this.redis.hset(this.keys(id).search, fields);
  }

  /**
   * Keeps `best` as the sweep's best point if its `score` (violations) is the
   * highest so far and above 0 (atomic: workers store rows at once).
   * @returns the best point so far, or null
   */
  async keepBest(id: string, score: number, best: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    const lua = `local s = tonumber(redis.call('HGET', KEYS[1], 'bestScore') or '0')
      if tonumber(ARGV[1]) > s then redis.call('HSET', KEYS[1], 'bestScore', ARGV[1], 'best', ARGV[2]) end
      return redis.call('HGET', KEYS[1], 'best')`;
    const text = (await this.redis.eval(lua, 1, this.keys(id).search, score, JSON.stringify(best))) as string | null;
    return text ? (JSON.parse(text) as Record<string, unknown>) : null;
  }

  /**
   * Appends a progress event to the sweep's stream (trimmed to the newest
   * {@link EVENTS_KEPT}), its `pointsDone` the rows stored at that moment:
   * read and appended in one script, so the events of workers finishing
   * points at once never count down, and only while the sweep runs: a
   * worker whose point finished just before the last one must not append
   * its progress after the final event that the last one's worker wrote
   * ({@link finish}). @returns its id, or null once the sweep has ended
   */
  async appendEvent(id: string, event: NewSweepEvent): Promise<string | null> {
    const k = this.keys(id);
    const lua = `if redis.call('HGET', KEYS[3], 'state') ~= 'running' then return false end
      local e = cjson.decode(ARGV[1]) e.pointsDone = redis.call('HLEN', KEYS[1])
      return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', cjson.encode(e))`;
    return (await this.redis.eval(
      lua,
      3,
      k.rows,
      k.events,
      k.meta,
      JSON.stringify({ ...event, at: new Date().toISOString() }),
      EVENTS_KEPT,
    )) as string;
  }

  /** Events after stream id `afterId` (null: from the start), blocking up to `blockMs` on `redis` (a connection of its own when it blocks). */
  async readEvents(
    redis: TlbRedis,
    id: string,
    afterId: string | null,
    blockMs: number,
    count = 100,
  ): Promise<SweepEvent[]> {
    const entries = await readEventEntries(redis, this.keys(id).events, afterId, blockMs, count);
    return entries.map(({ id: eid, event }) => ({ ...event, id: eid, sweepId: id }) as SweepEvent);
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
   * Ends a sweep (completed or failed) unless it already ended, appends its
   * final event (`event`, given the state and error) and lets its keys
   * expire after `retentionSec`. @returns false if it had already ended
   */
  async finish(
    id: string,
    state: Exclude<SweepState, 'running'>,
    error: string | null,
    retentionSec: number,
    event?: Omit<NewSweepEvent, 'type' | 'error'>,
  ): Promise<boolean> {
    const k = this.keys(id);
    const final = event
      ? JSON.stringify({ ...event, type: state, ...(error ? { error } : {}), at: new Date().toISOString() })
      : '';
    // In Lua so two workers ending the same sweep (last point, a failure) agree on one outcome and one final event.
    const lua = `if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
      redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finishedAt', ARGV[2], 'error', ARGV[3])
      if ARGV[5] ~= '' then redis.call('XADD', KEYS[#KEYS], '*', 'e', ARGV[5]) end
      for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[4]) end return 1`;
    const done = await this.redis.eval(
      lua,
      k.all.length,
      ...k.all,
      state,
      new Date().toISOString(),
      error ?? '',
      retentionSec,
      final,
    );
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

  /** Keeps the newest `max` sweeps (of `kind`) in the index (older ones have expired or soon will). */
  async prune(max: number, kind: SweepKind = 'sweep'): Promise<void> {
    await this.redis.zremrangebyrank(SweepKeys.index(this.prefix, this.redis.isCluster, kind), 0, -(max + 1));
  }

  /** Sweep (hunt, shrink) ids of `kind`, newest first, and how many there are. */
  async ids(offset: number, limit: number, kind: SweepKind = 'sweep'): Promise<{ ids: string[]; total: number }> {
    const key = SweepKeys.index(this.prefix, this.redis.isCluster, kind);
    const [ids, total] = await Promise.all([
      this.redis.zrevrange(key, offset, offset + limit - 1),
      this.redis.zcard(key),
    ]);
    return { ids, total };
  }
}

function encodeMeta(meta: SweepMeta): Record<string, string> {
  return {
    id: meta.id,
    kind: meta.kind,
    name: meta.name,
    createdAt: meta.createdAt,
    gridKeys: JSON.stringify(meta.gridKeys),
    policies: JSON.stringify(meta.policies),
    seeds: String(meta.seeds),
    points: String(meta.points),
    state: meta.state,
    finishedAt: meta.finishedAt ?? '',
    error: meta.error ?? '',
  };
}

function decodeMeta(h: Record<string, string>): SweepMeta | null {
  if (!h.id) return null;
  return {
    id: h.id,
    kind: (h.kind || 'sweep') as SweepKind,
    name: h.name,
    createdAt: h.createdAt,
    gridKeys: JSON.parse(h.gridKeys) as string[],
    policies: JSON.parse(h.policies) as string[],
    seeds: Number(h.seeds),
    points: Number(h.points),
    state: h.state as SweepState,
    finishedAt: h.finishedAt || null,
    error: h.error || null,
  };
}
