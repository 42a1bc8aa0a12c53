import type { BlockingConnectionPool } from './blocking-connection.pool';
import type { EventStreamRepository } from './event-stream.repository';
import type { JobFinalizerService } from './job-finalizer.service';
import type { JobResizeService } from './job-resize.service';
import type { JobRepository } from './job.repository';
import type { TlbRedis } from './redis.client';
import type { RedisConnectionMonitor } from './redis-connection.monitor';
import type { SchedulerRepository } from './scheduler.repository';
import type { SchedulerService } from './scheduler.service';
import type { ShardQueueRepository } from './shard-queue.repository';
import type { WorkerRegistryRepository } from './worker-registry.repository';

/**
 * The collaborators of `JobsService`, each typed by what the service
 * calls on it. Built and wired by the composition root (`createJobsService`
 * of jobs.container.ts), so the service names what it depends on instead of
 * reaching into a container for it.
 */
export interface JobsServiceDeps {
  /** Job metadata, results and the job index (whole: `jobExportLines` reads it too). */
  jobs: JobRepository;
  /** Jobs' event streams (whole: `jobExportLines` reads them too). */
  events: EventStreamRepository;
  /** The admission queue and the slots admitted jobs hold. */
  scheduler: Pick<SchedulerRepository, 'pendingCount' | 'enqueue' | 'running' | 'pending'>;
  /** Live workers. */
  registry: Pick<WorkerRegistryRepository, 'alive'>;
  /** The shard queue: a cancelled job's waiting shard jobs are removed from it. */
  queue: Pick<ShardQueueRepository, 'removeWaiting'>;
  /** Ends a job (cancel) with its partial report. */
  finalizer: Pick<JobFinalizerService, 'cancel'>;
  /** Performs a resize. */
  resizer: Pick<JobResizeService, 'request'>;
  /** An admission pass: starts waiting jobs that fit the free slots. */
  admission: Pick<SchedulerService, 'tick'>;
  /** The shared connection: non-blocking event reads and `ping`. */
  redis: TlbRedis;
  /** Connections for blocking event reads. */
  blocking: Pick<BlockingConnectionPool, 'borrow'>;
  /** Whether this process reaches Redis now. */
  monitor: Pick<RedisConnectionMonitor, 'up'>;
  /** Seconds finished jobs' records are kept, recorded in each job it submits. */
  retentionSec: number;
  /** Closes the connections the composition root opened for this service. */
  close: () => Promise<void>;
}
