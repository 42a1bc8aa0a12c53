import { envInteger, envText, type Environment } from '@tlbsim/contracts';
import { DEFAULT_PREFIX, redisTargetOf } from '@tlbsim/jobs';
import type { WorkerRuntimeOptions } from './worker.runtime';

/**
 * The worker's settings from the environment alone (each variable through
 * its declaration, docs/environment.md), for the process containers start.
 *
 * @throws Error naming the variables when none names a Redis (a worker has no sensible default: it
 *   must reach the coordinator's), or when both a Redis URL and `REDIS_CLUSTER_NODES` are set
 * @throws EnvironmentError for a value out of its declared range
 */
export function workerSettingsFromEnv(
  env: Environment,
  log: (line: string) => void,
): WorkerRuntimeOptions & { log: (line: string) => void } {
  const redisUrl = redisTargetOf({}, env as NodeJS.ProcessEnv);
  if (!redisUrl) throw new Error('no Redis given: set TLBSIM_REDIS_URL, REDIS_URL or REDIS_CLUSTER_NODES');
  return {
    redisUrl,
    prefix: envText(env, 'TLBSIM_PREFIX') ?? DEFAULT_PREFIX,
    concurrency: envInteger(env, 'TLBSIM_WORKER_CONCURRENCY'),
    retentionSec: envInteger(env, 'TLBSIM_RETENTION_SEC'),
    log,
  };
}
