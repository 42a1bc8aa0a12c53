import { randomBytes } from 'crypto';
import {
  accessesTotalOf,
  isFinalJobState,
  JobEvent,
  JobPage,
  JobState,
  JobView,
  policyListErrors,
  ScenarioInputError,
  shardsError,
  WorkerInfo,
} from '@tlbsim/contracts';
import { RunReport, windowsEstimateOf } from '@tlbsim/engine';
import { PolicyName, SimConfig, windowNsOf } from '@tlbsim/sim-core';
import { emptyFold, foldEvents, isFinal, JobFold, viewOf } from './job.projection';
import { JobGoneError } from './job-gone.error';
import { JobLimitError } from './job-limit.error';
import { JobNotActiveError } from './job-not-active.error';
import { ResizeInputError } from './resize-input.error';
import type { EventStreamRepository } from './event-stream.repository';
import type { JobMeta, JobRepository } from './job.repository';
import type { JobsServiceDeps } from './jobs-service.deps';
import type { TlbRedis } from './redis.client';
import { PENDING_JOBS_MAX, RESULTS_KEPT_MAX, WORKER_ALIVE_MS } from './jobs.constants';
import { jobExportLines } from './job.export';

/** The `overrides` field of a job's metadata: the overrides given, when there are any. */
function overridesOf(opts: { overrides?: readonly string[] }): { overrides?: string[] } {
  return opts.overrides?.length ? { overrides: [...opts.overrides] } : {};
}

/** Shard slots wanted by admitted and waiting jobs (see {@link JobsService.slotDemand}). */
export interface SlotDemand {
  held: number;
  waiting: number;
  total: number;
}

/** Open jobs whose event folds a service keeps in memory. */
export const FOLDS_CACHED_MAX = 2000;

/** A fresh job id: time-ordered, URL- and key-safe. */
function newId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Submitting, watching, cancelling and exporting distributed jobs. The one
 * entry point of `tlbsim submit/cancel/export` and of the HTTP API.
 */
export class JobsService {
  private readonly jobs: JobRepository;
  private readonly events: EventStreamRepository;
  private readonly scheduler: JobsServiceDeps['scheduler'];
  private readonly registry: JobsServiceDeps['registry'];
  private readonly queue: JobsServiceDeps['queue'];
  private readonly finalizer: JobsServiceDeps['finalizer'];
  private readonly resizer: JobsServiceDeps['resizer'];
  private readonly admission: JobsServiceDeps['admission'];
  private readonly redis: TlbRedis;
  private readonly blocking: JobsServiceDeps['blocking'];
  private readonly monitor: JobsServiceDeps['monitor'];
  private readonly retentionSec: number;
  private readonly closeConnections: () => Promise<void>;
  /** Folds of open jobs' event streams, most recently used last. */
  private readonly folds = new Map<string, JobFold>();

  /** Takes its collaborators from the composition root: `createJobsService` builds a connected one. */
  constructor(deps: JobsServiceDeps) {
    this.jobs = deps.jobs;
    this.events = deps.events;
    this.scheduler = deps.scheduler;
    this.registry = deps.registry;
    this.queue = deps.queue;
    this.finalizer = deps.finalizer;
    this.resizer = deps.resizer;
    this.admission = deps.admission;
    this.redis = deps.redis;
    this.blocking = deps.blocking;
    this.monitor = deps.monitor;
    this.retentionSec = deps.retentionSec;
    this.closeConnections = deps.close;
  }

  /** Stores a job, queues it for admission and admits it right away if workers have room. */
  async submit(
    scenario: SimConfig,
    opts: { shards?: number; groupId?: string; overrides?: readonly string[] } = {},
  ): Promise<JobView> {
    const meta = { ...(await this.prepare(scenario, opts.shards, opts.groupId ?? null)), ...overridesOf(opts) };
    if ((await this.scheduler.pendingCount()) >= PENDING_JOBS_MAX)
      throw new JobLimitError(`too many jobs waiting (${PENDING_JOBS_MAX}); try again later`);
    await this.store(meta);
    await this.admission.tick();
    return (await this.get(meta.id))!;
  }

  /** One job per policy, same scenario and seed, in one group. */
  async submitCompare(
    scenario: SimConfig,
    policies: string[],
    opts: { shards?: number; overrides?: readonly string[] } = {},
  ): Promise<{ groupId: string; jobs: JobView[] }> {
    const bad = policyListErrors(policies);
    if (bad.length) throw new ScenarioInputError(bad);
    if ((await this.scheduler.pendingCount()) + policies.length > PENDING_JOBS_MAX)
      throw new JobLimitError(`too many jobs waiting (${PENDING_JOBS_MAX})`);
    const groupId = `g-${newId()}`;
    const metas: JobMeta[] = [];
    for (const [groupIndex, p] of policies.entries()) {
      const cfg: SimConfig = { ...scenario, kvm: { ...scenario.kvm, policy: p as PolicyName } };
      metas.push({ ...(await this.prepare(cfg, opts.shards, groupId)), groupIndex, ...overridesOf(opts) });
    }
    for (const m of metas) await this.store(m);
    await this.admission.tick();
    return { groupId, jobs: await this.group(groupId) };
  }

  private async prepare(cfg: SimConfig, shardsOpt: number | undefined, groupId: string | null): Promise<JobMeta> {
    const shards = shardsOpt ?? cfg.run.shards;
    // Bad input (400 at the API), not a limit of the store (429).
    const bad = shardsError(cfg, shards);
    if (bad) throw new ScenarioInputError([bad]);
    const config: SimConfig = { ...cfg, run: { ...cfg.run, shards } };
    return {
      id: newId(),
      name: cfg.name,
      policy: cfg.kvm.policy,
      seed: cfg.seed,
      shards,
      maxShards: shards,
      groupId,
      createdAt: new Date().toISOString(),
      accessesTotal: accessesTotalOf(cfg),
      windowsEstimate: windowsEstimateOf(cfg, windowNsOf(cfg)),
      config,
      retentionSec: this.retentionSec,
    };
  }

  private async store(meta: JobMeta): Promise<void> {
    await this.jobs.create(meta);
    await this.scheduler.enqueue(meta.id, Date.parse(meta.createdAt));
    await this.jobs.prune(RESULTS_KEPT_MAX);
  }

  /**
   * Shard slots the queued work needs: `held` by admitted jobs, `waiting` for
   * jobs not admitted yet (all their shards, up to `run.shards` for a job
   * that may start smaller) and the shards running jobs may still grow by
   * (`run.minShards`), and their sum. An autoscaler
   * that keeps `total / concurrency` workers lets every job start.
   */
  async slotDemand(): Promise<SlotDemand> {
    const [running, pending] = await Promise.all([this.scheduler.running(), this.scheduler.pending()]);
    const [metas, runningMetas] = await Promise.all([this.jobs.metas(pending), this.jobs.metas([...running.keys()])]);
    const held = [...running.values()].reduce((a, n) => a + n, 0);
    // A job that started with fewer shards (run.minShards) may still grow to its most.
    const growth = runningMetas.reduce(
      (a, m) =>
        a +
        (m && m.config.run.minShards > 0
          ? Math.max(0, (m.maxShards ?? m.shards) - (running.get(m.id) ?? m.shards))
          : 0),
      0,
    );
    const waiting = metas.reduce((a, m) => a + (m ? Math.max(m.shards, m.maxShards ?? 0) : 0), 0) + growth;
    return { held, waiting, total: held + waiting };
  }

  /** The job's current view, or null if unknown. */
  async get(id: string): Promise<JobView | null> {
    return (await this.views([id]))[0];
  }

  /**
   * Views of several jobs: finished ones from their result record, others
   * projected from their events. Folds are cached per job, so a view of a
   * running job reads only the events appended since the last one (a long
   * job's stream holds thousands of window-completed events).
   */
  private async views(ids: string[]): Promise<(JobView | null)[]> {
    const results = await this.jobs.results(ids);
    const open = ids.filter((_, i) => !results[i]?.view);
    const metas = await this.jobs.metas(open);
    const known: { id: string; meta: JobMeta }[] = [];
    open.forEach((id, i) => {
      if (metas[i]) known.push({ id, meta: metas[i]! });
    });
    const folds = known.map(({ id, meta }) => this.folds.get(id) ?? emptyFold(meta));
    const events = await this.events.allOf(
      known.map((k) => k.id),
      folds.map((f) => f.lastEventId),
    );
    const projected = new Map<string, JobView>();
    known.forEach(({ id, meta }, i) => {
      const fold = foldEvents(folds[i], events[i]);
      this.rememberFold(id, fold);
      projected.set(id, viewOf(meta, fold));
    });
    for (const id of ids.filter((_, i) => results[i]?.view)) this.folds.delete(id);
    await this.refreshSlots([...projected.values()]);
    return ids.map((id, i) =>
      results[i]?.view ? (JSON.parse(results[i]!.view!) as JobView) : (projected.get(id) ?? null),
    );
  }

  /**
   * Puts the current live and free slots into unfinished jobs' views (the
   * events only hold them as of the last admission pass, and no pass runs
   * while there are no workers). One registry read for all of them.
   */
  private async refreshSlots(views: JobView[]): Promise<void> {
    const open = views.filter((v) => v.slots);
    if (open.length === 0) return;
    const { live, free } = await this.slotsNow();
    for (const v of open) v.slots = { needed: v.shards, live, free };
  }

  /** Slots of the live workers, and what admitted jobs leave free of them. */
  async slotsNow(): Promise<{ live: number; free: number }> {
    const [workers, running] = await Promise.all([this.registry.alive(WORKER_ALIVE_MS), this.scheduler.running()]);
    const live = workers.reduce((a, w) => a + w.capacity, 0);
    const held = [...running.values()].reduce((a, n) => a + n, 0);
    return { live, free: Math.max(0, live - held) };
  }

  /** Keeps a job's fold, dropping the oldest beyond {@link FOLDS_CACHED_MAX}. */
  private rememberFold(id: string, fold: JobFold): void {
    this.folds.delete(id);
    this.folds.set(id, fold);
    if (this.folds.size > FOLDS_CACHED_MAX) this.folds.delete(this.folds.keys().next().value as string);
  }

  /** Jobs, newest first, optionally of one state or group. */
  async list(q: { offset?: number; limit?: number; state?: JobState; groupId?: string } = {}): Promise<JobPage> {
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    if (!q.state) {
      const { ids, total } = await this.jobs.ids(offset, limit, q.groupId);
      return { items: (await this.views(ids)).filter((v): v is JobView => v !== null), total, offset, limit };
    }
    const { ids } = await this.jobs.ids(0, -1, q.groupId);
    const all = (await this.views(ids)).filter((v): v is JobView => v !== null && v.state === q.state);
    return { items: all.slice(offset, offset + limit), total: all.length, offset, limit };
  }

  /**
   * The jobs of a compare group in the order of the request's policies (the
   * first is the baseline); jobs stored without that position (older ones)
   * after them, oldest first.
   */
  async group(groupId: string): Promise<JobView[]> {
    const { ids } = await this.jobs.ids(0, -1, groupId);
    const views = (await this.views(ids.reverse())).filter((v): v is JobView => v !== null);
    const at = (v: JobView): number => v.groupIndex ?? Number.MAX_SAFE_INTEGER;
    return views
      .map((v, i) => ({ v, i }))
      .sort((a, b) => at(a.v) - at(b.v) || a.i - b.i)
      .map(({ v }) => v);
  }

  /**
   * The scenario a job runs (after defaults and overrides), while its
   * metadata is kept: null for an unknown job, or a finished one whose
   * records are gone but for its result.
   */
  async scenario(id: string): Promise<SimConfig | null> {
    const [meta] = await this.jobs.metas([id]);
    return meta?.config ?? null;
  }

  /** The report of a completed job, the partial report (`partial: true`) of a cancelled or failed one, or null. */
  async result(id: string): Promise<RunReport | null> {
    const [r] = await this.jobs.results([id]);
    return r?.report ? (JSON.parse(r.report) as RunReport) : null;
  }

  /** Cancels a job, keeping its partial report; running shards stop at their next window. null if the job is unknown. */
  async cancel(id: string): Promise<JobView | null> {
    const [meta] = await this.jobs.metas([id]);
    if (!meta) return this.get(id);
    await this.finalizer.cancel(meta);
    await this.queue.removeWaiting(id, meta.shards, meta.epoch ?? 0);
    return this.get(id);
  }

  /**
   * Resizes a queued or running job to `shards` shards (`tlbsim resize`):
   * a running job stops at its next window barrier, is re-partitioned and
   * queued again (it resumes once that many slots are free), with the
   * digest of an uninterrupted run; a queued one changes at once. With
   * `run.minShards`, the scheduler grows it back to at most `shards`.
   * null if the job is unknown.
   * @throws ResizeInputError for a shard count the job cannot run on
   * @throws JobNotActiveError for a finished job
   */
  async resize(id: string, shards: number): Promise<JobView | null> {
    const [meta] = await this.jobs.metas([id]);
    const [result] = await this.jobs.results([id]);
    if (result) throw new JobNotActiveError(id, result.state);
    if (!meta) return null;
    const bad = shardsError(meta.config, shards);
    if (bad) throw new ResizeInputError(bad);
    const outcome = await this.resizer.request(meta, shards);
    if (outcome === 'finished') {
      const [r] = await this.jobs.results([id]);
      throw new JobNotActiveError(id, r?.state ?? 'gone');
    }
    if (outcome === 'applied') await this.admission.tick();
    return this.get(id);
  }

  /** The stream id of the job's last event, or null (unknown job, or no events). */
  async lastEventId(id: string): Promise<string | null> {
    return this.events.lastId(id);
  }

  /** Events after `afterId` (null: from the start), blocking up to `blockMs` for new ones. */
  async readEvents(id: string, afterId: string | null, blockMs: number, count = 100): Promise<JobEvent[]> {
    if (blockMs <= 0) return this.events.read(this.redis, id, afterId, 0, count);
    return this.blocking.borrow((conn) => this.events.read(conn, id, afterId, blockMs, count));
  }

  /**
   * Resolves once the job is completed, failed or cancelled, feeding every
   * event to `onEvent`; or, after `timeoutMs`, with the job's unfinished
   * view. While the job waits for workers it runs admission passes itself,
   * so its slot counts follow workers that come and go even when none is
   * left to run them. Throws {@link JobGoneError} if the job's records
   * disappear (Redis restarted without persistence).
   */
  async waitFor(id: string, onEvent?: (e: JobEvent) => void, opts: { timeoutMs?: number } = {}): Promise<JobView> {
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    let after: string | null = null;
    for (;;) {
      const blockMs = Math.max(1, Math.min(1000, deadline - Date.now()));
      const events = await this.readEvents(id, after, blockMs);
      for (const e of events) {
        onEvent?.(e);
        after = e.id;
      }
      const view = await this.get(id);
      if (!view) throw new JobGoneError(id);
      if (isFinal(view.state) && (events.length === 0 || isFinalJobState(events[events.length - 1].type))) return view;
      if (Date.now() >= deadline) return view;
      if (view.state === 'queued' || view.state === 'waiting-for-workers') await this.admission.tick();
    }
  }

  /** Live workers. */
  async workers(): Promise<WorkerInfo[]> {
    return this.registry.alive(WORKER_ALIVE_MS);
  }

  /** The job as ndjson lines: its metadata and scenario, its events, its report. */
  exportJob(id: string): AsyncIterable<string> {
    return jobExportLines({ jobs: this.jobs, events: this.events, retentionSec: this.retentionSec }, id);
  }

  /** False while this process finds Redis unreachable (checked before any command, which would wait for it). */
  reachable(): boolean {
    return this.monitor.up;
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await this.closeConnections();
  }
}
