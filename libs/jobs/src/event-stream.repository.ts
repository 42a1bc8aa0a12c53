import type { JobEvent, NewJobEvent } from '@tlbsim/contracts';
import { JobKeys } from './job.keys';
import { pipelineEach } from './redis.batch';
import { TlbRedis } from './redis.client';

/** An event before it is appended (contracts' declaration; the stream adds `id`, `at` and `jobId`). */
export type { NewJobEvent };

type RawEntries = [string, string[]][];

function parse(jobId: string, entries: RawEntries | null): JobEvent[] {
  return (entries ?? []).map(
    ([id, fields]) => ({ ...JSON.parse(fields[fields.indexOf('e') + 1]), id, jobId }) as JobEvent,
  );
}

/**
 * Reads the entries of stream `key` after `afterId` (null: from the start),
 * blocking up to `blockMs` for new ones (a blocking read needs a connection
 * of its own), each as its id and its single field `e` parsed as JSON.
 */
export async function readEventEntries(
  redis: TlbRedis,
  key: string,
  afterId: string | null,
  blockMs: number,
  count: number,
): Promise<{ id: string; event: Record<string, unknown> }[]> {
  const from = afterId ?? '0-0';
  const res =
    blockMs > 0
      ? await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, from)
      : await redis.xread('COUNT', count, 'STREAMS', key, from);
  const entries = (res?.[0]?.[1] ?? []) as RawEntries;
  return entries.map(([id, fields]) => ({
    id,
    event: JSON.parse(fields[fields.indexOf('e') + 1]) as Record<string, unknown>,
  }));
}

/** The append-only lifecycle stream of each job. */
export class EventStreamRepository {
  constructor(
    private readonly redis: TlbRedis,
    private readonly prefix: string,
  ) {}

  private keys(jobId: string): JobKeys {
    return new JobKeys(this.prefix, jobId);
  }

  /** Serialized form of an event (the stream entry's single field): its fields and `at`, the JSON of the wire. */
  static encode(event: NewJobEvent): string {
    return JSON.stringify({ ...event, at: new Date().toISOString() });
  }

  /** Appends unless the job is finished (its result record exists); returns the id or null. */
  async append(jobId: string, event: NewJobEvent): Promise<string | null> {
    const k = this.keys(jobId);
    return this.redis.tlbAppendEvent(2, k.events, k.result, EventStreamRepository.encode(event));
  }

  /**
   * Appends an event of shard run `token` of `shard`; refused once the job is
   * finished or another run of the shard took it over (fencing token).
   */
  async appendFenced(
    jobId: string,
    shard: number,
    token: string,
    event: NewJobEvent,
  ): Promise<'appended' | 'finished' | 'superseded'> {
    const k = this.keys(jobId);
    const r = await this.redis.tlbAppendShardEvent(
      3,
      k.events,
      k.result,
      k.barrier,
      EventStreamRepository.encode(event),
      shard,
      token,
    );
    return r === -1 ? 'finished' : r === -2 ? 'superseded' : 'appended';
  }

  /** {@link append} for several jobs in one round trip. */
  async appendMany(items: readonly { jobId: string; event: NewJobEvent }[]): Promise<void> {
    if (items.length === 0) return;
    const res = await pipelineEach(this.redis, items, (p, { jobId, event }) => {
      const k = this.keys(jobId);
      // Custom commands are defined on pipelines too; ioredis only types them on the client.
      (p as unknown as { tlbAppendEvent(...args: (string | number)[]): void }).tlbAppendEvent(
        2,
        k.events,
        k.result,
        EventStreamRepository.encode(event),
      );
    });
    for (const [err] of res) if (err) throw err;
  }

  /** Appends unconditionally (submission, before any result can exist). */
  async appendFirst(jobId: string, event: NewJobEvent): Promise<string> {
    return (await this.redis.xadd(this.keys(jobId).events, '*', 'e', EventStreamRepository.encode(event)))!;
  }

  /** The stream id of the job's last event, or null if it has none. */
  async lastId(jobId: string): Promise<string | null> {
    const last = (await this.redis.xrevrange(this.keys(jobId).events, '+', '-', 'COUNT', 1)) as RawEntries;
    return last[0]?.[0] ?? null;
  }

  /** Every event of a job, oldest first. */
  async all(jobId: string): Promise<JobEvent[]> {
    return parse(jobId, (await this.redis.xrange(this.keys(jobId).events, '-', '+')) as RawEntries);
  }

  /**
   * The events of several jobs, in one round trip: for each job those after
   * the stream id in `afterIds` (null or missing: all of them), oldest first.
   */
  async allOf(jobIds: string[], afterIds: (string | null)[] = []): Promise<JobEvent[][]> {
    if (jobIds.length === 0) return [];
    const res = await pipelineEach(
      this.redis,
      jobIds.map((id, i) => [id, afterIds[i]] as const),
      (p, [id, after]) => p.xrange(this.keys(id).events, after ? `(${after}` : '-', '+'),
    );
    return res.map(([err, entries], i) => {
      if (err) throw err;
      return parse(jobIds[i], entries as RawEntries);
    });
  }

  /**
   * Events after `afterId` (null: from the start), blocking up to `blockMs`
   * for new ones. Needs a connection of its own when it blocks.
   */
  async read(
    redis: TlbRedis,
    jobId: string,
    afterId: string | null,
    blockMs: number,
    count = 100,
  ): Promise<JobEvent[]> {
    const entries = await readEventEntries(redis, this.keys(jobId).events, afterId, blockMs, count);
    return entries.map(({ id, event }) => ({ ...event, id, jobId }) as JobEvent);
  }
}
