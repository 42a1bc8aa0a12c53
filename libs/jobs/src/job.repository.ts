import type { JobState } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import { EventStreamRepository, NewJobEvent } from './event-stream.repository';
import { GlobalKeys, JobKeys } from './job.keys';
import { pipelineEach } from './redis.batch';
import { TlbRedis } from './redis.client';

/** What is stored about a job when it is submitted. */
export interface JobMeta {
  id: string;
  name: string;
  policy: string;
  seed: number;
  shards: number;
  groupId: string | null;
  /** Position of the job's policy in its compare request (0: the baseline); absent outside a group. */
  groupIndex?: number;
  createdAt: string;
  accessesTotal: number;
  windowsEstimate: number;
  config: SimConfig;
  /** Seconds the job's records are kept once it finished: the submitter's setting (absent: the finishing process's). */
  retentionSec?: number;
  /** Times the job changed its shard count (each a new set of BullMQ shard jobs). @defaultValue 0 */
  epoch?: number;
  /** The most shards the scheduler grows the job to: `run.shards`, or the last `tlbsim resize`. @defaultValue `shards` */
  maxShards?: number;
  /** Shards a resize under way goes to (set by the request, cleared when the shards switch). */
  resizeTo?: number;
  /** Re-partitioned and waiting to go back to the admission queue (see `SchedulerService`). */
  requeue?: boolean;
  /** The overrides it was submitted with (`JobView.overrides`), when there were any. */
  overrides?: string[];
}

/** The record kept for a finished job after its other keys are gone. */
export interface JobResultRecord {
  state: Extract<JobState, 'completed' | 'failed' | 'cancelled'>;
  finishedAt: string;
  error: string | null;
  digest: string | null;
  /** RunReport JSON: for completed jobs, and the partial report (`partial: true`) of cancelled or failed jobs that have one. */
  report: string | null;
  /** Final JobView JSON, written right after finishing. */
  view: string | null;
}

/** Job metadata, the job index and result records. */
export class JobRepository {
  private readonly g: GlobalKeys;

  constructor(
    private readonly redis: TlbRedis,
    private readonly prefix: string,
  ) {
    this.g = new GlobalKeys(prefix, redis.isCluster);
  }

  keys(jobId: string): JobKeys {
    return new JobKeys(this.prefix, jobId);
  }

  /** Stores a new job's metadata, its `submitted` event and its index entries. */
  async create(meta: JobMeta): Promise<void> {
    const k = this.keys(meta.id);
    const score = Date.parse(meta.createdAt);
    const fields: Record<string, unknown> = {
      ...meta,
      groupId: meta.groupId ?? '',
      groupIndex: meta.groupIndex ?? '',
      config: JSON.stringify(meta.config),
      retentionSec: meta.retentionSec ?? '',
      overrides: meta.overrides?.length ? JSON.stringify(meta.overrides) : undefined,
    };
    for (const f of ['epoch', 'maxShards', 'resizeTo', 'requeue', 'overrides'])
      if (fields[f] === undefined) delete fields[f];
    await this.redis.hset(k.meta, fields as unknown as Record<string, string>);
    await this.redis.xadd(k.events, '*', 'e', EventStreamRepository.encode({ type: 'submitted' }));
    const p = this.redis.pipeline().zadd(this.g.jobs, score, meta.id);
    if (meta.groupId) p.zadd(this.g.group(meta.groupId), score, meta.id);
    await p.exec();
  }

  /** Metadata of several jobs (null where expired or unknown). */
  async metas(ids: string[]): Promise<(JobMeta | null)[]> {
    if (ids.length === 0) return [];
    const res = await pipelineEach(this.redis, ids, (p, id) => p.hgetall(this.keys(id).meta));
    return res.map(([err, h]) => {
      if (err) throw err;
      return parseMeta(h as Record<string, string>);
    });
  }

  /** Result records of several jobs (null where the job is not finished). */
  async results(ids: string[]): Promise<(JobResultRecord | null)[]> {
    if (ids.length === 0) return [];
    const res = await pipelineEach(this.redis, ids, (p, id) => p.hgetall(this.keys(id).result));
    return res.map(([err, h]) => {
      if (err) throw err;
      const r = h as Record<string, string>;
      if (!r.state) return null;
      return {
        state: r.state,
        finishedAt: r.finishedAt,
        error: r.error || null,
        digest: r.digest || null,
        report: r.report || null,
        view: r.view || null,
      } as JobResultRecord;
    });
  }

  /**
   * Finishes a job once: result record, final event, retention of events
   * and metadata. @returns false if it was already finished.
   */
  async finish(
    jobId: string,
    record: Omit<JobResultRecord, 'view'>,
    event: NewJobEvent,
    retentionSec: number,
  ): Promise<boolean> {
    const k = this.keys(jobId);
    const fields: string[] = [];
    for (const [f, v] of Object.entries(record)) if (v !== null) fields.push(f, String(v));
    const id = await this.redis.tlbFinish(
      3,
      k.result,
      k.events,
      k.meta,
      retentionSec,
      EventStreamRepository.encode(event),
      ...fields,
    );
    return id !== null;
  }

  /**
   * Starts the retention clock of a compare group's index once every job of
   * the group is finished (each has its result record), so the group outlives
   * none of its jobs' listings and no group index is kept forever.
   */
  async expireGroupWhenDone(groupId: string, retentionSec: number): Promise<void> {
    const key = this.g.group(groupId);
    const ids = await this.redis.zrange(key, '0', '-1');
    if (ids.length === 0) return;
    const res = await pipelineEach(this.redis, ids, (p, id) => p.exists(this.keys(id).result));
    if (res.every(([err, n]) => !err && n === 1)) await this.redis.expire(key, retentionSec);
  }

  /** Records the last waiting-for-workers note; false if it was already this one. */
  async swapWaitNote(jobId: string, note: string): Promise<boolean> {
    return (await this.swapWaitNotes([[jobId, note]]))[0];
  }

  /** {@link swapWaitNote} for many jobs in one round trip; true where the note changed. */
  async swapWaitNotes(notes: readonly (readonly [string, string])[]): Promise<boolean[]> {
    if (notes.length === 0) return [];
    // In Lua so an expired job's metadata is never re-created with just this field.
    const lua = `if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'waitNote') == ARGV[1] then return 0 end
      redis.call('HSET', KEYS[1], 'waitNote', ARGV[1]) return 1`;
    const res = await pipelineEach(this.redis, notes, (p, [jobId, note]) =>
      p.eval(lua, 1, this.keys(jobId).meta, note),
    );
    return res.map(([err, changed]) => {
      if (err) throw err;
      return changed === 1;
    });
  }

  /**
   * Sets fields of an unfinished job's metadata (never re-creating expired
   * metadata); false if the job is finished or gone.
   */
  async updateMeta(jobId: string, fields: Record<string, string | number>, drop: string[] = []): Promise<boolean> {
    const k = this.keys(jobId);
    const lua = `if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local n = tonumber(ARGV[1])
      for i = 2, 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
      for i = 2 * n + 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
      return 1`;
    const args: string[] = [String(Object.keys(fields).length)];
    for (const [f, v] of Object.entries(fields)) args.push(f, String(v));
    args.push(...drop);
    return (await this.redis.eval(lua, 2, k.meta, k.result, ...args)) === 1;
  }

  /** Stores the final view in the result record (if it exists). */
  async saveFinalView(jobId: string, viewJson: string): Promise<void> {
    const k = this.keys(jobId);
    if (await this.redis.exists(k.result)) await this.redis.hset(k.result, 'view', viewJson);
  }

  /** Deletes the keys only a running job needs (streams, barrier, snapshots, partials). */
  async deleteTransport(jobId: string, shards: number): Promise<void> {
    await this.redis.del(...this.keys(jobId).transportKeys(shards));
  }

  /** Finished shards' partial results, by shard. */
  async partials(jobId: string): Promise<Map<number, string>> {
    const h = await this.redis.hgetall(this.keys(jobId).partials);
    return new Map(Object.entries(h).map(([s, v]) => [Number(s), v]));
  }

  /** Running shards' checkpoints (ShardPartial JSON) by field `<windowsDone>:<shard>`. */
  async checkpoints(jobId: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys(jobId).checkpoints)));
  }

  /** Job ids, newest first (all of them when `groupId` is set: groups are small). */
  async ids(offset: number, limit: number, groupId?: string): Promise<{ ids: string[]; total: number }> {
    const key = groupId ? this.g.group(groupId) : this.g.jobs;
    const [ids, total] = await Promise.all([
      this.redis.zrevrange(key, offset, limit < 0 ? -1 : offset + limit - 1),
      this.redis.zcard(key),
    ]);
    return { ids, total };
  }

  /**
   * Keeps at most `max` jobs in the index: drops the oldest finished ones
   * and their result records (everything else of theirs has expired).
   */
  async prune(max: number): Promise<void> {
    const excess = (await this.redis.zcard(this.g.jobs)) - max;
    if (excess <= 0) return;
    const oldest = await this.redis.zrange(this.g.jobs, 0, String(excess - 1));
    const results = await this.results(oldest);
    const done = oldest.filter((_, i) => results[i] !== null);
    if (done.length === 0) return;
    await this.redis.zrem(this.g.jobs, ...done);
    await pipelineEach(this.redis, done, (p, id) => p.del(this.keys(id).result));
  }
}

function parseMeta(h: Record<string, string>): JobMeta | null {
  if (!h.id) return null;
  return {
    id: h.id,
    name: h.name,
    policy: h.policy,
    seed: Number(h.seed),
    shards: Number(h.shards),
    groupId: h.groupId || null,
    createdAt: h.createdAt,
    accessesTotal: Number(h.accessesTotal),
    windowsEstimate: Number(h.windowsEstimate),
    config: JSON.parse(h.config),
    retentionSec: h.retentionSec ? Number(h.retentionSec) : undefined,
    ...(h.groupIndex ? { groupIndex: Number(h.groupIndex) } : {}),
    epoch: h.epoch ? Number(h.epoch) : 0,
    maxShards: h.maxShards ? Number(h.maxShards) : Number(h.shards),
    resizeTo: h.resizeTo ? Number(h.resizeTo) : undefined,
    requeue: h.requeue === '1',
    ...(h.overrides ? { overrides: JSON.parse(h.overrides) as string[] } : {}),
  };
}
