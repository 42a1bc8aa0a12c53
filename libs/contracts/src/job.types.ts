/**
 * Job and worker shapes shared by the CLI (`tlbsim submit`), the worker, the
 * coordinator's HTTP API and the dashboard (a job's events: job-event.types.ts).
 * JSON keys here are a public contract: add, never rename.
 */

/** Lifecycle states of a job (a projection of its event stream). */
export const JOB_STATES = ['queued', 'waiting-for-workers', 'running', 'completed', 'failed', 'cancelled'] as const;

/** A job state. */
export type JobState = (typeof JOB_STATES)[number];

/**
 * The final job states, after which nothing changes; each is also the event
 * type that ends a job's stream. The one list of them: the projection, the
 * SSE stream, `submit --wait` and (by type) the dashboard use it.
 */
export const FINAL_JOB_STATES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobState[];

/** A final job state (and the event type that ends a job's stream). */
export type FinalJobState = (typeof FINAL_JOB_STATES)[number];

/** True for a final job state, or for the event type that ends a job's stream. */
export function isFinalJobState(stateOrEventType: string): stateOrEventType is FinalJobState {
  return (FINAL_JOB_STATES as readonly string[]).includes(stateOrEventType);
}

/** Progress of a job, derived from its window-completed events. */
export interface JobProgress {
  /** Slowest shard's windows completed. */
  windows: number;
  windowsEstimate: number;
  accesses: number;
  accessesTotal: number;
  /** 0..1 */
  fraction: number;
  accessesPerSec: number;
  etaSec: number | null;
}

/**
 * States of one shard of a job. Once the job is cancelled or failed, a
 * shard that had neither completed nor failed shows `stopped` (at its last window).
 */
export const SHARD_STATES = ['queued', 'running', 'completed', 'failed', 'stopped'] as const;

/** Per-shard view. */
export interface ShardView {
  shard: number;
  state: (typeof SHARD_STATES)[number];
  window: number;
  worker: string | null;
  resumes: number;
}

/**
 * Shard slots of an unfinished job: a job starts only when all its shards
 * fit at once, so `needed` is its shard count; `live` is the capacity of
 * the live workers and `free` what admitted jobs leave of it.
 */
export interface JobSlots {
  needed: number;
  live: number;
  free: number;
}

/** A job as the API and dashboard show it. */
export interface JobView {
  id: string;
  name: string;
  policy: string;
  seed: number;
  state: JobState;
  shards: number;
  /** Compare group this job belongs to, if any. */
  groupId: string | null;
  /** Position of the job's policy in its compare request (0: the baseline of the group's overheads); absent outside a group. */
  groupIndex?: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: JobProgress;
  violations: number;
  perShard: ShardView[];
  digest: string | null;
  error: string | null;
  /** When waiting for workers: slots needed. */
  slotsNeeded: number | null;
  /** Slots needed and live while the job is not finished (null once it is). */
  slots: JobSlots | null;
  /**
   * A cancelled or failed job's partial report (`GET /api/jobs/:id/result`,
   * `partial: true`) covers this many windows; null when there is none
   * (the job is not finished, completed, or stopped before its first checkpoint).
   */
  partialWindows: number | null;
  /**
   * The `--set`-style overrides the job was submitted with (`tlbsim submit
   * --set`/`--seed`/`--policy`/`--shards`, the API's `overrides` and
   * shorthands), for people telling jobs of one scenario apart; the scenario
   * already has them applied. Absent when there were none.
   */
  overrides?: string[];
  /**
   * Simulated nanoseconds per window (window n ends at `(n + 1) * windowNs`):
   * the time axis of the job's charts. Absent from views of older builds.
   */
  windowNs?: number;
}

/**
 * True once a shard of the job started (or it completed): a job that never
 * ran (waiting for workers, or cancelled before it started) has no
 * violation count to show, "not run" rather than a green 0. The rule of
 * `tlbsim jobs`/`status` and the dashboard (which repeats this one line: it
 * bundles no runtime code of this package).
 */
export function jobHasRun(view: Pick<JobView, 'state' | 'startedAt'>): boolean {
  return view.state === 'completed' || view.startedAt !== null;
}

/** A live worker process. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  capacity: number;
  busy: number;
  shards: { jobId: string; shard: number }[];
  startedAt: string;
  lastHeartbeatAt: string;
}

/** A page of jobs. */
export interface JobPage {
  items: JobView[];
  total: number;
  offset: number;
  limit: number;
}
