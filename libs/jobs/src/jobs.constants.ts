/** Names and defaults shared by the submitter, the workers and the API. */
import { envInteger, envVariable } from '@tlbsim/contracts';

/** BullMQ queue of shard jobs: one BullMQ job per shard of a simulation job. */
export const SHARD_QUEUE = 'tlbsim-shards';

/** BullMQ queue of sweep points: one BullMQ job per point, run in process on a worker. */
export const SWEEP_QUEUE = 'tlbsim-sweep-points';

/**
 * Times a sweep, hunt or shrink point may stall (its worker died, or blocked
 * its event loop past the lock) and be run again by another worker; BullMQ's
 * `maxStalledCount` of the point queue. One more stall and BullMQ fails the
 * point without running it, and the worker that sees that fails the point's
 * job (`SweepPointService.fail`), so a job never stays running for a point
 * that will never end. @defaultValue 1
 */
export const POINT_STALLS_MAX = 1;

/**
 * How long a shard waits at a window's barrier while the shards it waits for
 * make no progress (neither publish the window nor are claimed again by a
 * worker) before it fails the job, naming them and the window
 * (`BarrierTimeoutError`). Without it a job whose window publish was lost in
 * a Redis failover (replication is asynchronous), or whose shard no worker
 * runs, would wait forever. A worker's `--barrier-timeout-ms` overrides it.
 * @defaultValue 300000 (5 minutes)
 */
export const BARRIER_TIMEOUT_MS = 300_000;

/** Key prefix of everything tlbsim stores. @defaultValue 'tlbsim' */
export const DEFAULT_PREFIX = 'tlbsim';

/**
 * Life of a snapshot's staging copy: it is written with a plain SET (a
 * 65 MB blob through a script's arguments costs Redis about twice as much)
 * and renamed into place by the fenced script in the same pipeline, so it
 * lives for milliseconds; the expiry only cleans up after a worker that
 * died between the two. @defaultValue 600000 (10 min)
 */
export const SNAPSHOT_STAGING_TTL_MS = 600_000;

/**
 * The prefix of tlbsim's global keys (job index, scheduler, worker registry,
 * sweep index) and of BullMQ's: `prefix` on one server; on a Redis Cluster
 * the hash tag `{prefix}`, so that the keys a script, MULTI or pipeline
 * touches together share one slot (a job's own keys carry `{job:<id>}`).
 */
export function globalPrefixOf(prefix: string = DEFAULT_PREFIX, cluster = false): string {
  return cluster ? `{${prefix}}` : prefix;
}

/**
 * BullMQ's key prefix under tlbsim's prefix (BullMQ keys are `<this>:<queue>:...`):
 * `tlbsim:bull`, or on a Redis Cluster `{tlbsim}:bull` (BullMQ's scripts touch
 * several keys of a queue, so its prefix must be a hash tag there).
 */
export function bullPrefixOf(prefix: string = DEFAULT_PREFIX, cluster = false): string {
  return `${globalPrefixOf(prefix, cluster)}:bull`;
}

/** Seconds finished jobs' event streams and metadata are kept: the declared default of `TLBSIM_RETENTION_SEC`. @defaultValue 3600 */
export const DEFAULT_RETENTION_SEC = Number(envVariable('TLBSIM_RETENTION_SEC').defaultValue);

/**
 * The retention every tlbsim process applies unless told otherwise:
 * `TLBSIM_RETENTION_SEC` (a positive integer of seconds) if set, else
 * {@link DEFAULT_RETENTION_SEC}. A job records the value of the process that
 * submitted it, and whichever process finishes it applies that one.
 */
export function defaultRetentionSec(env: NodeJS.ProcessEnv = process.env): number {
  return envInteger(env, 'TLBSIM_RETENTION_SEC');
}

/**
 * Finished shard jobs the BullMQ queue keeps for the queue admin (`/queues`),
 * completed and failed each: `TLBSIM_QUEUE_HISTORY`, else 100. A bound, so
 * the history costs at most that many small records (a shard job's data is
 * its job id, shard and shard count; the job's own records live elsewhere).
 */
export function queueHistoryMax(env: NodeJS.ProcessEnv = process.env): number {
  return envInteger(env, 'TLBSIM_QUEUE_HISTORY');
}

/** A worker is alive if it heartbeat within this many ms. @defaultValue 5000 */
export const WORKER_ALIVE_MS = 5000;

/** Jobs waiting for admission at most; more is refused (the queue must not grow without bound). @defaultValue 1000 */
export const PENDING_JOBS_MAX = 1000;

/** Finished jobs whose result record is kept; the oldest are dropped beyond it. @defaultValue 10000 */
export const RESULTS_KEPT_MAX = 10000;

/** A shard emits `window-completed` at most this often (and always for the last window). @defaultValue 250 */
export const PROGRESS_EVERY_MS = 250;
