import { EventStreamRepository } from './event-stream.repository';
import { JobFinalizerService } from './job-finalizer.service';
import { JobResizeService } from './job-resize.service';
import { JobRepository } from './job.repository';
import { DEFAULT_PREFIX, defaultRetentionSec } from './jobs.constants';
import { createRedis, TlbRedis } from './redis.client';
import { RedisConnectionMonitor } from './redis-connection.monitor';
import { SchedulerRepository } from './scheduler.repository';
import { SchedulerService } from './scheduler.service';
import { ShardExecutionService } from './shard-execution.service';
import { redisShardRunPorts } from './shard-run.ports';
import { ShardQueueRepository } from './shard-queue.repository';
import { WorkerRegistryRepository } from './worker-registry.repository';

/** Connection and retention settings shared by the service and the worker. */
export interface JobsConnectionOptions {
  redisUrl: string;
  /** Key prefix. @defaultValue 'tlbsim' */
  prefix?: string;
  /** Seconds finished jobs' streams, metadata, group index and failed BullMQ records are kept. @defaultValue `$TLBSIM_RETENTION_SEC` or 3600 */
  retentionSec?: number;
}

/**
 * The wiring of repositories and services over one Redis connection, used
 * by {@link JobsService} (submitters, API) and by workers alike.
 */
export class JobsContainer {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly retentionSec: number;
  readonly redis: TlbRedis;
  readonly jobs: JobRepository;
  readonly events: EventStreamRepository;
  readonly scheduler: SchedulerRepository;
  readonly registry: WorkerRegistryRepository;
  readonly queue: ShardQueueRepository;
  readonly finalizer: JobFinalizerService;
  readonly admission: SchedulerService;
  readonly resizer: JobResizeService;
  readonly execution: ShardExecutionService;
  private readonly spare: TlbRedis[] = [];
  private readonly lent = new Set<TlbRedis>();

  constructor(opts: JobsConnectionOptions) {
    this.redisUrl = opts.redisUrl;
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.retentionSec = opts.retentionSec ?? defaultRetentionSec();
    this.redis = createRedis(this.redisUrl);
    this.jobs = new JobRepository(this.redis, this.prefix);
    this.events = new EventStreamRepository(this.redis, this.prefix);
    this.scheduler = new SchedulerRepository(this.redis, this.prefix);
    this.registry = new WorkerRegistryRepository(this.redis, this.prefix);
    this.queue = new ShardQueueRepository(this.redisUrl, this.prefix, this.retentionSec);
    this.finalizer = new JobFinalizerService(this.jobs, this.events, this.scheduler, this.retentionSec);
    this.resizer = new JobResizeService(this.redis, this.jobs, this.events, this.scheduler, () =>
      this.admission.tick(),
    );
    this.admission = new SchedulerService(
      this.scheduler,
      this.registry,
      this.jobs,
      this.events,
      this.queue,
      this.resizer,
    );
    this.execution = new ShardExecutionService(
      redisShardRunPorts(this.jobs, this.events, this.finalizer, this.resizer),
    );
  }

  /** A connection for blocking reads (XREAD BLOCK), pooled. */
  async borrow<T>(fn: (redis: TlbRedis) => Promise<T>): Promise<T> {
    const conn = this.spare.pop() ?? createRedis(this.redisUrl, 'tlbsim-blocking');
    this.lent.add(conn);
    try {
      return await fn(conn);
    } finally {
      this.lent.delete(conn);
      if (this.spare.length < 8) this.spare.push(conn);
      else conn.disconnect();
    }
  }

  /** True unless this process found Redis unreachable and it has not answered since. */
  get reachable(): boolean {
    return RedisConnectionMonitor.of(this.redisUrl).up;
  }

  /** Closes every connection; at once (without the goodbye round trips) while Redis is unreachable. */
  async close(): Promise<void> {
    for (const c of [...this.spare, ...this.lent]) c.disconnect();
    this.spare.length = 0;
    if (!this.reachable) {
      this.redis.disconnect();
      await this.queue.disconnect();
      return;
    }
    await this.queue.close();
    await this.redis.quit().catch(() => undefined);
  }
}
