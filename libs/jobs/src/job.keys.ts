import { globalPrefixOf } from './jobs.constants';
import { TaggedKeys } from './tagged.keys';

/**
 * Redis key names of one job, under the hash tag `{job:<id>}`: `meta` (scenario,
 * shards, group, created time; expires after retention once finished),
 * `events` (the job's lifecycle stream) and those below. Global indexes (job
 * list, scheduler, worker registry) are separate keys.
 */
export class JobKeys extends TaggedKeys {
  constructor(
    prefix: string,
    readonly jobId: string,
  ) {
    super(prefix, 'job', jobId);
  }

  /** Hash: the final record (state, report, view); also the tombstone every shard write checks. */
  get result(): string {
    return `${this.base}:result`;
  }
  /** Hash: per-window publish counts, per-shard watermarks, fencing tokens and last re-run windows. */
  get barrier(): string {
    return `${this.base}:barrier`;
  }
  /** Stream: one entry per completed window barrier (id `<window>-1`), what waiting shards block on. */
  get barrierStream(): string {
    return `${this.base}:bar`;
  }
  /**
   * Sorted set of batches delivered to `shard`, scored by the window they were
   * sent in, members `<window>:<sender>:<batch>` (shard-exchange.repository.ts).
   */
  inbound(shard: number): string {
    return `${this.base}:in:${shard}`;
  }
  /**
   * Stream: the windows up to which every in-neighbour of `shard` published
   * (ids `<window>-1`, appended as it grows), what the shard blocks on.
   */
  ready(shard: number): string {
    return `${this.base}:ready:${shard}`;
  }
  /** String: the last snapshot of `shard` (v8-serialized). */
  snapshot(shard: number): string {
    return `${this.base}:snap:${shard}`;
  }
  /**
   * String: a snapshot of `shard` written by the run holding `token`,
   * before the fenced script renames it to {@link snapshot} (or drops it).
   * Expires on its own (`SNAPSHOT_STAGING_TTL_MS`): not in {@link transportKeys}.
   */
  snapshotStaging(shard: number, token: string): string {
    return `${this.base}:snap:${shard}:${token}`;
  }
  /** Hash: finished shards' partial results by shard. */
  get partials(): string {
    return `${this.base}:parts`;
  }
  /** Hash: running shards' checkpoints (`<windowsDone>:<shard>` -> ShardPartial JSON), for a partial report. */
  get checkpoints(): string {
    return `${this.base}:ckpt`;
  }

  /** Every key used while the job runs (all but meta, events and result). */
  transportKeys(shards: number): string[] {
    const keys = [this.barrier, this.barrierStream, this.partials, this.checkpoints];
    for (let s = 0; s < shards; s++) keys.push(this.inbound(s), this.ready(s), this.snapshot(s));
    return keys;
  }
}

/**
 * Global keys (not per job), under {@link globalPrefixOf}: on a Redis Cluster
 * they share the hash tag `{<prefix>}`, so the scheduler's and the worker
 * registry's MULTIs and MGETs stay in one slot.
 */
export class GlobalKeys {
  /** `tlbsim`, or `{tlbsim}` on a cluster. */
  readonly base: string;

  constructor(
    readonly prefix: string,
    cluster = false,
  ) {
    this.base = globalPrefixOf(prefix, cluster);
  }

  /** Sorted set: job ids by creation time. */
  get jobs(): string {
    return `${this.base}:jobs`;
  }
  /** Sorted set: job ids of a compare group. */
  group(groupId: string): string {
    return `${this.base}:group:${groupId}`;
  }
  /** Sorted set: jobs waiting for admission (FIFO by submit time). */
  get pending(): string {
    return `${this.base}:sched:pending`;
  }
  /** Hash: admitted, unfinished job id -> shard slots it holds. */
  get running(): string {
    return `${this.base}:sched:running`;
  }
  /** String: the scheduler lock, so one tick runs at a time across workers. */
  get schedulerLock(): string {
    return `${this.base}:sched:lock`;
  }
  /** Sorted set: worker ids by last heartbeat (ms). */
  get workers(): string {
    return `${this.base}:workers`;
  }
  /** String (JSON, expiring): one worker's registration. */
  worker(id: string): string {
    return `${this.base}:worker:${id}`;
  }
}
