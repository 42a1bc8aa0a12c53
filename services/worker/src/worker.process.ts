import { EXIT } from '@tlbsim/contracts';
import { probeRedis } from '@tlbsim/jobs';
import { stopWithin, untilStopRequested, WORKER_SHUTDOWN_MS } from './shutdown.util';
import { createWorkerRuntime } from './worker-runtime.factory';
import type { WorkerRuntimeOptions } from './worker.runtime';

/**
 * The worker process's life, whoever starts it (`node services/worker/dist/main.js`
 * in a container, `tlbsim worker` from a terminal, `serve --workers`):
 * checks Redis (bounded retries, then `RedisUnreachableError`: one line and
 * exit 3 for the caller), runs shard jobs until SIGTERM/SIGINT (or until its
 * parent, `serve`, exits), then stops gracefully within
 * {@link WORKER_SHUTDOWN_MS}, or at once if Redis is unreachable.
 *
 * @returns the exit code: {@link EXIT.OK} after a stop request
 * @throws RedisUnreachableError when Redis does not answer at start
 */
export async function runWorkerProcess(
  settings: WorkerRuntimeOptions & { log: (line: string) => void },
): Promise<number> {
  await probeRedis(settings.redisUrl);
  const runtime = createWorkerRuntime(settings);
  const stopRequested = untilStopRequested();
  // A stop request while still starting (Redis not answering yet) counts too.
  const reason = (await Promise.race([runtime.start().then(() => null), stopRequested])) ?? (await stopRequested);
  settings.log(`worker ${runtime.id}: ${reason}, stopping`);
  await stopWithin(() => runtime.stop(), {
    deadlineMs: WORKER_SHUTDOWN_MS,
    redisUrl: settings.redisUrl,
    exitCode: EXIT.RUN_FAILED,
    late: (why) =>
      settings.log(`worker ${runtime.id}: ${why}; exiting without a graceful stop (its shards resume elsewhere)`),
  });
  return EXIT.OK;
}
