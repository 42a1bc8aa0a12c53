/**
 * The decision of a resize request (`tlbsim resize`, a scheduler's grow),
 * as a pure function of the job as it stands. `JobResizeService.request`
 * performs it on Redis; the protocol simulator's resize fault on the
 * in-memory store.
 */

/** A job as a resize request sees it (null: gone). */
export interface ResizeJobState {
  /** The job has its result (completed, failed or cancelled). */
  finished: boolean;
  shards: number;
  /** Shards a resize under way goes to (undefined: none under way). */
  resizeTo?: number;
  /** Admitted: its shard jobs are queued or running and hold slots. */
  running: boolean;
  /** Switched to a new shard count by a resize, waiting to go back to the queue. */
  requeue: boolean;
  /** Times the job changed its shard count. */
  epoch: number;
}

/**
 * What resizing a job to `to` shards does: nothing if it ended
 * (`finished`) or already has that count with no resize under way
 * (`unchanged`); a running job is asked to stop at its next barrier
 * (`signal`: the last shard to stop commits); a job that never ran only
 * changes its metadata (`set-shards`: no snapshot exists); a job waiting to
 * go back to the queue after a resize re-partitions its snapshots at once
 * (`commit`).
 */
export function planResize(
  job: ResizeJobState | null,
  to: number,
): 'finished' | 'unchanged' | 'signal' | 'set-shards' | 'commit' {
  if (!job || job.finished) return 'finished';
  if (to === job.shards && job.resizeTo === undefined) return 'unchanged';
  if (job.running && !job.requeue) return 'signal';
  return job.epoch === 0 ? 'set-shards' : 'commit';
}

/** A running job as a scheduler pass that may grow it sees it. */
export interface GrowableJob {
  shards: number;
  /** The most shards it may grow to: `run.shards`, or the last `tlbsim resize`. @defaultValue `shards` */
  maxShards?: number;
  /** A resize under way (undefined: none). */
  resizeTo?: number;
  /** `run.minShards`: only a job submitted with one started with fewer shards than it may use. */
  minShards: number;
  /** The fleet's actors: no shard without one. */
  actors: number;
}

/**
 * The shard count a scheduler pass grows a running job to with `free` slots
 * left (as many as fit, up to its maximum and its actors), or null to leave
 * it: it was not submitted with `run.minShards`, a resize is under way, or
 * it is at its maximum.
 */
export function growTarget(job: GrowableJob, free: number): number | null {
  if (!(job.minShards > 0) || job.resizeTo !== undefined) return null;
  const to = Math.min(job.maxShards ?? job.shards, job.actors, job.shards + free);
  return to > job.shards ? to : null;
}
