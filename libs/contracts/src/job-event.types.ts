/**
 * The events of a job's append-only stream (Redis), as the API's SSE stream
 * (`GET /api/jobs/:id/events`), `tlbsim submit --wait` and the dashboard
 * get them. One member per event type, each with exactly the fields that
 * event carries, so readers switch on `type` and the compiler checks them.
 * The JSON keys are a public contract: add, never rename.
 */
import type { SeriesCounts } from './series.counts';

/** Event types of a job's append-only stream. */
export const JOB_EVENT_TYPES = [
  'submitted',
  'waiting-for-workers',
  'shard-started',
  'window-completed',
  'shard-failed',
  'shard-resumed',
  'shard-completed',
  'completed',
  'failed',
  'cancelled',
  'resize-requested',
  'resized',
] as const;

/** A job event type. */
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** What every event has, whatever its type; the stream sets these when it appends the event. */
export interface JobEventEnvelope {
  /** The Redis stream id: the SSE message id and `Last-Event-ID`. */
  id: string;
  /** Wall-clock ISO time the event was appended. */
  at: string;
  jobId: string;
}

/** What every event of one shard run carries: the shard and the worker running it. */
export interface ShardEventFields {
  shard: number;
  /** Id of the worker process running the shard. */
  worker: string;
}

/** `submitted`: the job was accepted; the first event of its stream. */
export interface JobSubmittedEvent extends JobEventEnvelope {
  type: 'submitted';
}

/** `waiting-for-workers`: the job does not fit on the live workers yet (it starts only when all its shards fit). */
export interface JobWaitingEvent extends JobEventEnvelope {
  type: 'waiting-for-workers';
  /** Slots the job needs: its shard count. */
  slotsNeeded: number;
  /** Slots the admitted jobs leave free on the live workers. */
  slotsFree: number;
  /** Slots of all live workers, free or not. Absent from events of builds before it existed. */
  slotsLive?: number;
}

/** `shard-started`: a worker started a shard from the beginning. */
export interface ShardStartedEvent extends JobEventEnvelope, ShardEventFields {
  type: 'shard-started';
  /** Windows the shard has done when it starts: 0. */
  window: number;
}

/** `shard-resumed`: a worker took over a shard whose run was lost or stopped (from its snapshot, if any). */
export interface ShardResumedEvent extends JobEventEnvelope, ShardEventFields {
  type: 'shard-resumed';
  /** Windows the shard has done when it resumes: its snapshot's window (0 without one). */
  window: number;
}

/**
 * `window-completed`: a shard's progress (throttled: not every window has
 * one), with the shard's cumulative series counters so far.
 */
export interface WindowCompletedEvent extends JobEventEnvelope, ShardEventFields, SeriesCounts {
  type: 'window-completed';
  /** Index of the window the shard just completed: `window + 1` windows are done. */
  window: number;
}

/** `shard-failed`: a run of the shard threw, or was lost (then a `shard-resumed` follows). */
export interface ShardFailedEvent extends JobEventEnvelope, ShardEventFields {
  type: 'shard-failed';
  error: string;
}

/** `shard-completed`: a shard ran to the end of the job. */
export interface ShardCompletedEvent extends JobEventEnvelope, ShardEventFields {
  type: 'shard-completed';
  /** Windows the shard ran (its last window's index + 1). */
  window: number;
}

/** `completed`: the job's report is built; the last event of its stream. */
export interface JobCompletedEvent extends JobEventEnvelope {
  type: 'completed';
  /** The report's digest. */
  digest: string;
  /** The report's violations, which the job view shows from then on. Absent from events of builds before it existed. */
  violations?: number;
}

/**
 * What the final event of a stopped (cancelled or failed) job says of its
 * partial report (`GET /api/jobs/:id/result`, `partial: true`): both absent
 * when the job has none (it stopped before its first checkpoint).
 */
export interface PartialReportFields {
  /**
   * Not a shard's window: the number of windows the job's partial report
   * covers (its `metrics.windows`, the job view's `partialWindows`).
   */
  window?: number;
  /** The partial report's violations, which the job view shows from then on. */
  violations?: number;
}

/**
 * `failed`: a shard failed for good (or the queue gave up on it); the last
 * event of the stream. `window` counts the windows of its partial report
 * ({@link PartialReportFields}), not a shard's window.
 */
export interface JobFailedEvent extends JobEventEnvelope, PartialReportFields {
  type: 'failed';
  error: string;
}

/**
 * `cancelled`: the job was cancelled; the last event of the stream.
 * `window` counts the windows of its partial report
 * ({@link PartialReportFields}), not a shard's window.
 */
export interface JobCancelledEvent extends JobEventEnvelope, PartialReportFields {
  type: 'cancelled';
}

/** `resize-requested`: someone asked to run the job on another number of shards. */
export interface ResizeRequestedEvent extends JobEventEnvelope {
  type: 'resize-requested';
  /** The shard count asked for. */
  shards: number;
}

/** `resized`: the job was re-partitioned; it goes back to the queue for its new shards. */
export interface ResizedEvent extends JobEventEnvelope {
  type: 'resized';
  /** The shard count the job runs on from `window` on. */
  shards: number;
  /** Windows done when the new shards take over (where they start). */
  window: number;
}

/** One event of a job's stream: switch on `type` for its fields. */
export type JobEvent =
  | JobSubmittedEvent
  | JobWaitingEvent
  | ShardStartedEvent
  | WindowCompletedEvent
  | ShardFailedEvent
  | ShardResumedEvent
  | ShardCompletedEvent
  | JobCompletedEvent
  | JobFailedEvent
  | JobCancelledEvent
  | ResizeRequestedEvent
  | ResizedEvent;

/** The member of {@link JobEvent} of type `T`. */
export type JobEventOf<T extends JobEventType> = Extract<JobEvent, { type: T }>;

/** An event before it is appended: the stream gives it its {@link JobEventEnvelope}. */
export type NewJobEvent = { [T in JobEventType]: Omit<JobEventOf<T>, keyof JobEventEnvelope> }[JobEventType];

/** Event types with no member of {@link JobEvent}, and members whose type is not an event type: must be none. */
type Unmodelled =
  | { [T in JobEventType]: [JobEventOf<T>] extends [never] ? T : never }[JobEventType]
  | Exclude<JobEvent['type'], JobEventType>;
const _everyTypeModelled: [Unmodelled] extends [never] ? true : Unmodelled = true;
