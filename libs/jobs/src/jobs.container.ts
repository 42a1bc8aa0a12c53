import { BlockingConnectionPool } from './blocking-connection.pool';
import { EventStreamRepository } from './event-stream.repository';
import { JobFinalizerService } from './job-finalizer.service';
import { JobResizeService } from './job-resize.service';
import { JobRepository } from './job.repository';
import { DEFAULT_PREFIX, defaultRetentionSec } from './jobs.constants';
import { JobsService } from './jobs.service';
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
 * The composition root of the jobs layer: constructs the repositories and
 * services over one Redis connection (and a pool for blocking reads) and
 * wires them, for {@link JobsService} (submitters, API: {@link createJobsService})
 * and workers alike (the worker's own root, `createWorkerRuntime`). No
 * decisions here: it builds, and closes what it built.
 *
 * Only composition roots import it; the classes they build receive their
 * collaborators through their constructors and never hold the container
 * to look things up later (test/boundaries.test.ts holds the rule).
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
  /** Connections for blocking reads of the event streams. */
  readonly blocking: BlockingConnectionPool;

  constructor(opts: JobsConnectionOptions) {
    this.redisUrl = opts.redisUrl;
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.retentionSec = opts.retentionSec ?? defaultRetentionSec();
    this.redis = createRedis(this.redisUrl);
    this.blocking = new BlockingConnectionPool(this.redisUrl);
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

  /** Closes every connection; at once (without the goodbye round trips) while Redis is unreachable. */
  async close(): Promise<void> {
    this.blocking.disconnect();
    if (!RedisConnectionMonitor.of(this.redisUrl).up) {
      this.redis.disconnect();
      await this.queue.disconnect();
      return;
    }
    await this.queue.close();
    await this.redis.quit().catch(() => undefined);
  }
}

/**
 * A {@link JobsService} over its own connections to `redisUrl`, built by a
 * {@link JobsContainer} (connected on first use; its `close` closes them):
 * the one call of the CLI, the coordinator's provider, the benches and tests.
 */
export function createJobsService(opts: JobsConnectionOptions): JobsService {
  const c = new JobsContainer(opts);
  return new JobsService({
    jobs: c.jobs,
    events: c.events,
    scheduler: c.scheduler,
    registry: c.registry,
    queue: c.queue,
    finalizer: c.finalizer,
    resizer: c.resizer,
    admission: c.admission,
    redis: c.redis,
    blocking: c.blocking,
    monitor: RedisConnectionMonitor.of(c.redisUrl),
    retentionSec: c.retentionSec,
    close: () => c.close(),
  });
}
