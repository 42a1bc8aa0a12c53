import type { JobEvent } from '@tlbsim/contracts';
import { buildReport, mergePartials, RunReport, RunTransportStats } from '@tlbsim/engine';
import { reportOfPartials } from './job.report';
import { ShardPartial, windowNsOf } from '@tlbsim/sim-core';
import { checkpointField, latestCommonCheckpoint } from './checkpoint.schedule';
import { EventStreamRepository, NewJobEvent } from './event-stream.repository';
import { projectJob } from './job.projection';
import { JobMeta, JobRepository, JobResultRecord } from './job.repository';
import { TransportStats } from './redis.transport';
import { SchedulerRepository } from './scheduler.repository';

/** What a finished shard stores. */
export interface ShardOutcome {
  partial: ShardPartial;
  windows: number;
  stats: TransportStats;
}

/**
 * What the final event of a cancelled or failed job says of its partial
 * report: the windows it covers and its violations (the count the job view
 * shows from then on, so header and report agree); nothing without one.
 */
function partialFields(partial: RunReport | null): { window?: number; violations?: number } {
  return partial ? { window: partial.metrics.windows, violations: partial.violations.total } : {};
}

/**
 * Ends jobs: builds the report from the shards' partials with the same
 * functions as `tlbsim run` (so the digest is the same), or records a
 * failure or cancellation with the partial report of the shards'
 * checkpoints; then frees the job's slots and deletes what only
 * a running job needs.
 */
export class JobFinalizerService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly events: EventStreamRepository,
    private readonly scheduler: SchedulerRepository,
    private readonly retentionSec: number,
  ) {}

  /** Builds and stores the report once every shard finished. */
  async complete(meta: JobMeta): Promise<RunReport | null> {
    const built = reportOfPartials(meta, await this.jobs.partials(meta.id));
    if (!built) return null;
    const { report, outcomes } = built;
    report.transport = await this.transportStats(meta.id, outcomes);
    const record = {
      state: 'completed' as const,
      finishedAt: new Date().toISOString(),
      error: null,
      digest: report.digest,
      report: JSON.stringify(report),
    };
    await this.end(meta, record, { type: 'completed', digest: report.digest, violations: report.violations.total });
    return report;
  }

  /** Marks a job failed (a shard threw, or BullMQ gave up on it), keeping its partial report. */
  async fail(meta: JobMeta, error: string): Promise<boolean> {
    const partial = await this.partialReport(meta);
    const record = {
      state: 'failed' as const,
      finishedAt: new Date().toISOString(),
      error,
      digest: null,
      report: partial && JSON.stringify(partial),
    };
    return this.end(meta, record, { type: 'failed', error, ...partialFields(partial) });
  }

  /** Marks a job cancelled, keeping its partial report. */
  async cancel(meta: JobMeta): Promise<boolean> {
    const partial = await this.partialReport(meta);
    const record = {
      state: 'cancelled' as const,
      finishedAt: new Date().toISOString(),
      error: null,
      digest: null,
      report: partial && JSON.stringify(partial),
    };
    return this.end(meta, record, { type: 'cancelled', ...partialFields(partial) });
  }

  /**
   * The report of what an unfinished job found: the shards' checkpoints at
   * the latest window all of them recorded, merged like a finished job's
   * partials (so `runInProcess` with `untilWindow` gives the same digest).
   * Null if the job has no such window (it never ran, or not long enough).
   */
  async partialReport(meta: JobMeta): Promise<RunReport | null> {
    const all = await this.jobs.checkpoints(meta.id);
    const windows = latestCommonCheckpoint([...all.keys()], meta.shards);
    if (windows === null) return null;
    const parts = Array.from(
      { length: meta.shards },
      (_, s) => JSON.parse(all.get(checkpointField(windows, s))!) as ShardPartial,
    );
    const cfg = meta.config;
    const windowNs = windowNsOf(cfg);
    const report = buildReport(cfg, mergePartials(parts, cfg.run.witnessesMax), windows, windowNs, meta.shards);
    report.stoppedAt = { window: windows, simulatedNs: windows * windowNs };
    report.partial = true;
    return report;
  }

  private async end(meta: JobMeta, record: Omit<JobResultRecord, 'view'>, event: NewJobEvent): Promise<boolean> {
    // The submitter's retention, whichever process (worker, API, CLI) finishes the job.
    const retentionSec = meta.retentionSec ?? this.retentionSec;
    const first = await this.jobs.finish(meta.id, record, event, retentionSec);
    // Even when someone else finished it first, cleaning up again is harmless.
    await this.jobs.deleteTransport(meta.id, meta.shards);
    await this.scheduler.release(meta.id);
    if (first) await this.jobs.saveFinalView(meta.id, JSON.stringify(projectJob(meta, await this.events.all(meta.id))));
    if (meta.groupId) await this.jobs.expireGroupWhenDone(meta.groupId, retentionSec);
    return first;
  }

  private async transportStats(jobId: string, outcomes: ShardOutcome[]): Promise<RunTransportStats> {
    const sum = (f: (s: TransportStats) => number): number => outcomes.reduce((a, o) => a + f(o.stats), 0);
    const events: JobEvent[] = await this.events.all(jobId);
    const started = events.find((e) => e.type === 'shard-started');
    return {
      messagesSent: sum((s) => s.messagesSent),
      messagesReceived: sum((s) => s.messagesReceived),
      duplicatesDropped: sum((s) => s.duplicatesDropped),
      redisRoundTrips: sum((s) => s.redisRoundTrips),
      barrierWaitMs: Math.round(sum((s) => s.barrierWaitMs)),
      wallMs: started ? Date.now() - Date.parse(started.at) : 0,
    };
  }
}
