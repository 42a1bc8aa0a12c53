import type { JobEvent, JobPage, JobState, JobView, WorkerInfo } from '@tlbsim/contracts';
import type { RunReport } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';

/** Query of {@link JobsPort.list}. */
export interface JobListQuery {
  offset?: number;
  limit?: number;
  state?: JobState;
  groupId?: string;
}

/**
 * What the coordinator needs from the job store (the repository layer). In
 * production this is `JobsService` of `@tlbsim/jobs` (BullMQ + Redis streams);
 * the coordinator owns this shape so it depends on an interface, not on an
 * implementation, and speaks the domain only (the queue admin gets the
 * BullMQ queue from its own provider, `ShardQueueStats`). Also the Nest
 * injection token.
 */
export abstract class JobsPort {
  /** Queues a run of a validated scenario. */
  abstract submit(
    scenario: SimConfig,
    opts?: { shards?: number; groupId?: string; overrides?: readonly string[] },
  ): Promise<JobView>;
  /** Queues one run per policy, grouped. */
  abstract submitCompare(
    scenario: SimConfig,
    policies: string[],
    opts?: { shards?: number; overrides?: readonly string[] },
  ): Promise<{ groupId: string; jobs: JobView[] }>;
  /** A job, or null if unknown. */
  abstract get(id: string): Promise<JobView | null>;
  /** A page of jobs, newest first. */
  abstract list(q?: JobListQuery): Promise<JobPage>;
  /** The jobs of a compare group, in the order of the policies given (the first is the baseline). */
  abstract group(groupId: string): Promise<JobView[]>;
  /** The validated scenario a job runs (a compare's sensitivity re-runs start from it), or null if unknown. */
  abstract scenario(id: string): Promise<SimConfig | null>;
  /** The report of a completed job, or null. */
  abstract result(id: string): Promise<RunReport | null>;
  /** Cancels a job; null if unknown. */
  abstract cancel(id: string): Promise<JobView | null>;
  /**
   * Resizes a queued or running job to `shards`; null if unknown. Throws
   * `ResizeInputError` (a count the job cannot run on) or `JobNotActiveError` (finished).
   */
  abstract resize(id: string, shards: number): Promise<JobView | null>;
  /** Events after `afterId` (null: from the start), waiting up to `blockMs` for new ones (0: do not wait). */
  abstract readEvents(id: string, afterId: string | null, blockMs: number, count?: number): Promise<JobEvent[]>;
  /** The stream id of the job's last event, or null. */
  abstract lastEventId(id: string): Promise<string | null>;
  /** Live worker processes. */
  abstract workers(): Promise<WorkerInfo[]>;
  /** Shard slots held by admitted jobs and wanted by waiting ones. */
  abstract slotDemand(): Promise<{ held: number; waiting: number; total: number }>;
  /** The inputs and events of a job, as NDJSON lines. */
  abstract exportJob(id: string): AsyncIterable<string>;
  /** True when Redis answers. */
  abstract ping(): Promise<boolean>;
  /** False while Redis is known to be unreachable (no command is sent then: it would wait for Redis). */
  abstract reachable(): boolean;
  /** Releases connections. */
  abstract close(): Promise<void>;
}
