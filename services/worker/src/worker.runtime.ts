import { hostname } from 'os';
import { randomBytes } from 'crypto';
import { Job, Worker } from 'bullmq';
import type { WorkerInfo } from '@tlbsim/contracts';
import {
  BARRIER_TIMEOUT_MS,
  bullConnectionOf,
  bullPrefixOf,
  createRedis,
  isClusterUrl,
  JobFinalizerService,
  JobRepository,
  releaseBullConnection,
  RedisConnectionMonitor,
  relayQueueError,
  SchedulerService,
  SHARD_QUEUE,
  ShardExecutionService,
  ShardInterruptedError,
  ShardJobData,
  ShardRunOutcome,
  WorkerRegistryRepository,
} from '@tlbsim/jobs';
import { POINT_STALLS_MAX, SWEEP_QUEUE, SweepPointJobData, SweepPointOutcome, SweepPointService } from '@tlbsim/jobs';
import { handBack } from './shard-hand-back.util';

/** BullMQ's reason for a job that stalled more than `maxStalledCount` times. */
const STALLED = /stalled more than allowable limit/;

/** Options of {@link WorkerRuntime}. */
export interface WorkerRuntimeOptions {
  redisUrl: string;
  /** Key prefix. @defaultValue 'tlbsim' */
  prefix?: string;
  /** Shards run at once (slots offered to the scheduler). @defaultValue 1 */
  concurrency?: number;
  /**
   * BullMQ lock of a running shard, renewed every half of it by a timer. A
   * shard yields to the event loop at least once per window (it awaits
   * Redis), and a window takes milliseconds, so a healthy shard renews in
   * time even with a short lock; a presumed-stalled shard that is in fact
   * alive is fenced off by its token anyway. @defaultValue 6000
   */
  lockDurationMs?: number;
  /** How often BullMQ looks for stalled shard jobs (whose worker died). @defaultValue 3000 */
  stalledIntervalMs?: number;
  /**
   * A shard waiting at a window's barrier fails its job when the shards it
   * waits for made no progress for this long (see `BARRIER_TIMEOUT_MS`).
   * @defaultValue BARRIER_TIMEOUT_MS (300000)
   */
  barrierTimeoutMs?: number;
  /** Heartbeat and admission pass period. @defaultValue 1000 */
  heartbeatMs?: number;
  /** Retention of finished jobs' records. @defaultValue 3600 */
  retentionSec?: number;
  /** Log sink (one line per call). @defaultValue stderr */
  log?: (line: string) => void;
}

/**
 * The collaborators of {@link WorkerRuntime}, each typed by what the runtime
 * calls on it, built and wired by its composition root
 * (`createWorkerRuntime`, worker-runtime.factory.ts).
 */
export interface WorkerRuntimeDeps {
  /** Runs one shard job (claim, windows, barrier, snapshot, end). */
  execution: Pick<ShardExecutionService, 'run'>;
  /** Job metadata: a job whose shard BullMQ gave up on is failed with it. */
  jobs: Pick<JobRepository, 'metas'>;
  /** Fails such a job, keeping its partial report. */
  finalizer: Pick<JobFinalizerService, 'fail'>;
  /** The worker's registration (heartbeat, removal at stop). */
  registry: Pick<WorkerRegistryRepository, 'heartbeat' | 'remove'>;
  /** An admission pass, run with every heartbeat. */
  admission: Pick<SchedulerService, 'tick'>;
  /** Runs and fails the points of sweeps, hunts and shrinks. */
  points: Pick<SweepPointService, 'run' | 'fail'>;
  /** The key prefix, resolved by the composition root (BullMQ's queues are under it). */
  prefix: string;
  /** Closes the connections the composition root opened for this runtime (last step of {@link WorkerRuntime.stop}). */
  close: () => Promise<void>;
}

/**
 * A worker process: runs shard jobs from the BullMQ queue, heartbeats its
 * registration (capacity, busy slots, current shards) and runs admission
 * passes, so jobs waiting for workers start as soon as capacity joins.
 */
export class WorkerRuntime {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly execution: WorkerRuntimeDeps['execution'];
  private readonly jobs: WorkerRuntimeDeps['jobs'];
  private readonly finalizer: WorkerRuntimeDeps['finalizer'];
  private readonly registry: WorkerRuntimeDeps['registry'];
  private readonly admission: WorkerRuntimeDeps['admission'];
  private readonly points: WorkerRuntimeDeps['points'];
  private readonly prefix: string;
  private readonly closeConnections: () => Promise<void>;
  private readonly opts: Required<Omit<WorkerRuntimeOptions, 'prefix' | 'retentionSec'>>;
  private worker: Worker<ShardJobData> | null = null;
  /** Takes sweep points: each one a whole run in this process. */
  private sweepWorker: Worker<SweepPointJobData> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly current = new Map<string, { jobId: string; shard: number }>();
  private readonly startedAt = new Date().toISOString();
  private beating = false;

  /**
   * @param deps - its collaborators, from the composition root (`createWorkerRuntime`)
   * @param opts - its settings (`prefix` and `retentionSec` are read by the composition root)
   */
  constructor(deps: WorkerRuntimeDeps, opts: WorkerRuntimeOptions) {
    this.execution = deps.execution;
    this.jobs = deps.jobs;
    this.finalizer = deps.finalizer;
    this.registry = deps.registry;
    this.admission = deps.admission;
    this.points = deps.points;
    this.prefix = deps.prefix;
    this.closeConnections = deps.close;
    this.opts = {
      redisUrl: opts.redisUrl,
      concurrency: opts.concurrency ?? 1,
      lockDurationMs: opts.lockDurationMs ?? 6000,
      stalledIntervalMs: opts.stalledIntervalMs ?? 3000,
      barrierTimeoutMs: opts.barrierTimeoutMs ?? BARRIER_TIMEOUT_MS,
      heartbeatMs: opts.heartbeatMs ?? 1000,
      log: opts.log ?? ((l) => process.stderr.write(`${l}\n`)),
    };
  }

  /**
   * Registers and starts taking shard jobs. Callers check Redis first
   * (`probeRedis`): the runtime's connections wait out outages forever.
   */
  async start(): Promise<void> {
    await this.beat();
    this.worker = new Worker<ShardJobData>(SHARD_QUEUE, (job, token) => this.process(job, token), {
      connection: bullConnectionOf(this.opts.redisUrl),
      prefix: bullPrefixOf(this.prefix, isClusterUrl(this.opts.redisUrl)),
      concurrency: this.opts.concurrency,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      // A killed worker's shards are resumed, not failed, however often it happens.
      maxStalledCount: 100,
    });
    this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    this.sweepWorker = new Worker<SweepPointJobData>(SWEEP_QUEUE, (job) => this.processPoint(job), {
      connection: bullConnectionOf(this.opts.redisUrl),
      prefix: bullPrefixOf(this.prefix, isClusterUrl(this.opts.redisUrl)),
      concurrency: this.opts.concurrency,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      maxStalledCount: POINT_STALLS_MAX,
    });
    this.sweepWorker.on('stalled', (id) => this.opts.log(`point ${id} stalled (its worker died?): queued again`));
    this.sweepWorker.on('failed', (job, err) => void this.onPointFailed(job, err));
    // Connection errors (every retry of every BullMQ connection) become the process's one line per Redis state change.
    this.sweepWorker.on(
      'error',
      relayQueueError(this.opts.redisUrl, (line) => this.opts.log(`worker ${this.id} (sweeps): ${line}`)),
    );
    this.worker.on(
      'error',
      relayQueueError(this.opts.redisUrl, (line) => this.opts.log(`worker ${this.id}: ${line}`)),
    );
    this.timer = setInterval(() => void this.beatOnce(), this.opts.heartbeatMs);
    this.opts.log(`worker ${this.id} ready: concurrency ${this.opts.concurrency}`);
  }

  private async process(job: Job<ShardJobData>, token?: string): Promise<ShardRunOutcome> {
    const key = job.id ?? `${job.data.jobId}.${job.data.shard}`;
    this.current.set(key, { jobId: job.data.jobId, shard: job.data.shard });
    const connection = createRedis(this.opts.redisUrl, `tlbsim-shard-${key}`);
    try {
      this.opts.log(`shard ${job.data.shard}/${job.data.shards} of job ${job.data.jobId}: start`);
      const outcome = await this.execution.run(job.data, {
        workerId: this.id,
        connection,
        shouldStop: () => this.stopping,
        barrierTimeoutMs: this.opts.barrierTimeoutMs,
      });
      this.opts.log(`shard ${job.data.shard} of job ${job.data.jobId}: ${outcome}`);
      return outcome;
    } catch (error) {
      if (!(error instanceof ShardInterruptedError)) throw error;
      // Back to the queue, so another worker resumes it from the snapshot just taken.
      return handBack(job, token, this.opts.log);
    } finally {
      this.current.delete(key);
      connection.disconnect();
    }
  }

  /** BullMQ gave up on a shard (it threw, or stalled too often): the job fails. */
  private async onFailed(job: Job<ShardJobData> | undefined, err: Error): Promise<void> {
    if (!job) return;
    this.opts.log(`shard ${job.data.shard} of job ${job.data.jobId} failed: ${err.message}`);
    const [meta] = await this.jobs.metas([job.data.jobId]);
    if (meta) await this.finalizer.fail(meta, `shard ${job.data.shard}: ${err.message}`);
  }

  /** Runs one point of a sweep, hunt or shrink, with a line when it starts. */
  private processPoint(job: Job<SweepPointJobData>): Promise<SweepPointOutcome> {
    this.opts.log(`point ${job.data.index} of ${job.data.sweepId}: start`);
    return this.points.run(job.data);
  }

  /**
   * BullMQ failed a point: the run threw (its job already failed), or BullMQ
   * gave up on it without running it (it stalled more than
   * {@link POINT_STALLS_MAX} times): the point's job fails with the reason.
   */
  private async onPointFailed(job: Job<SweepPointJobData> | undefined, err: Error): Promise<void> {
    if (!job) return;
    const why = STALLED.test(err.message)
      ? `stalled ${POINT_STALLS_MAX + 1} times (its worker died or blocked past its lock), not run again`
      : err.message;
    try {
      if (await this.points.fail(job.data, why))
        this.opts.log(`${job.data.sweepId} failed: point ${job.data.index}: ${why}`);
    } catch (e) {
      this.opts.log(
        `${job.data.sweepId}: point ${job.data.index} failed (${why}) but could not be recorded: ${(e as Error).message}`,
      );
    }
  }

  /** One heartbeat unless one is still waiting (for a Redis that is down); failures logged unless Redis is known down. */
  private async beatOnce(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.beat();
    } catch (e) {
      if (!RedisConnectionMonitor.of(this.opts.redisUrl).failed(e as Error))
        this.opts.log(`worker ${this.id}: heartbeat: ${(e as Error).message}`);
    } finally {
      this.beating = false;
    }
  }

  private async beat(): Promise<void> {
    const info: WorkerInfo = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      capacity: this.stopping ? 0 : this.opts.concurrency,
      busy: this.current.size,
      shards: [...this.current.values()],
      startedAt: this.startedAt,
      lastHeartbeatAt: new Date().toISOString(),
    };
    await this.registry.heartbeat(info, this.opts.heartbeatMs * 5);
    if (!this.stopping) await this.admission.tick();
  }

  /**
   * Graceful stop: no new shards; running shards snapshot at their next
   * window and go back to the queue; then deregister and disconnect.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.worker?.close();
    await this.sweepWorker?.close();
    for (const w of [this.worker, this.sweepWorker]) releaseBullConnection(w?.opts.connection);
    await this.registry.remove(this.id);
    await this.closeConnections();
    this.opts.log(`worker ${this.id} stopped`);
  }
}
