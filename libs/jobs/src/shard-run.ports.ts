import { EventStreamRepository, NewJobEvent } from './event-stream.repository';
import { JobFinalizerService } from './job-finalizer.service';
import { JobResizeService } from './job-resize.service';
import { JobMeta, JobRepository } from './job.repository';
import { TlbRedis } from './redis.client';
import { RedisShardStore } from './redis-shard.store';
import { ShardStore } from './shard.store';

/**
 * What a shard run needs besides its {@link ShardStore}: the job's
 * metadata, its unfenced events, its end (report or failure), the commit
 * of a resize, and a clock. Workers use {@link redisShardRunPorts}; the
 * protocol simulator its own over the in-memory store and a virtual clock.
 */
export interface ShardRunPorts {
  /** The job's metadata; null once it is gone. */
  meta(jobId: string): Promise<JobMeta | null>;
  /** The job's Redis store on a run's own connection. */
  storeOn(connection: TlbRedis, meta: JobMeta): ShardStore;
  /** Appends an event unless the job is finished. */
  append(jobId: string, event: NewJobEvent): Promise<unknown>;
  /** Fails the job with `error`, keeping its partial report. */
  fail(meta: JobMeta, error: string): Promise<unknown>;
  /** Builds and stores the report once every shard finished. */
  complete(meta: JobMeta): Promise<unknown>;
  /** Re-partitions a job whose shards all stopped for a resize and switches it to the new shard count. */
  commitResize(meta: JobMeta): Promise<'committed' | 'finished' | 'moved'>;
  /** The ms clock of progress events and their stamps. */
  now(): number;
  /** The ms clock of barrier waits. @defaultValue performance.now */
  barrierNow?: () => number;
}

/** The ports of a worker: the job's Redis repositories and services, the wall clock. */
export function redisShardRunPorts(
  jobs: JobRepository,
  events: EventStreamRepository,
  finalizer: JobFinalizerService,
  resizer: JobResizeService,
): ShardRunPorts {
  return {
    meta: async (jobId) => (await jobs.metas([jobId]))[0],
    storeOn: (connection, meta) => new RedisShardStore(connection, jobs.keys(meta.id)),
    append: (jobId, event) => events.append(jobId, event),
    fail: (meta, error) => finalizer.fail(meta, error),
    complete: (meta) => finalizer.complete(meta),
    commitResize: (meta) => resizer.commit(meta),
    now: () => Date.now(),
  };
}
