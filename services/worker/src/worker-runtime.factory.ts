import { JobsContainer, SweepPointService, SweepQueueRepository, SweepRepository } from '@tlbsim/jobs';
import { WorkerRuntime, WorkerRuntimeOptions } from './worker.runtime';

/**
 * The worker's composition root: a {@link WorkerRuntime} over its own
 * connections to `opts.redisUrl`. The jobs layer's repositories and services
 * come from a {@link JobsContainer}; the sweep points' from here (their
 * queue opened by the first hunt or shrink batch this worker completes,
 * since most workers never queue one). The runtime's `stop` ends by closing
 * all of them through the `close` given here.
 */
export function createWorkerRuntime(opts: WorkerRuntimeOptions): WorkerRuntime {
  const c = new JobsContainer({ redisUrl: opts.redisUrl, prefix: opts.prefix, retentionSec: opts.retentionSec });
  let pointQueue: SweepQueueRepository | null = null;
  const points = new SweepPointService(
    new SweepRepository(c.redis, c.prefix),
    c.retentionSec,
    () => (pointQueue ??= new SweepQueueRepository(c.redisUrl, c.prefix, c.retentionSec)),
  );
  return new WorkerRuntime(
    {
      execution: c.execution,
      jobs: c.jobs,
      finalizer: c.finalizer,
      registry: c.registry,
      admission: c.admission,
      points,
      prefix: c.prefix,
      close: async () => {
        await pointQueue?.close();
        await c.close();
      },
    },
    opts,
  );
}
