import { envInteger, envText, type Environment } from '@tlbsim/contracts';
import { DEFAULT_PREFIX, redisTargetOf } from '@tlbsim/jobs';
import type { WorkerRuntimeOptions } from './worker.runtime';

/** Redis when the environment names none: the machine's own. */
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The worker's settings from the environment alone (each variable through
 * its declaration, docs/environment.md), for the process containers start.
 *
 * @throws Error naming the variables when both a Redis URL and `REDIS_CLUSTER_NODES` are set
 * @throws EnvironmentError for a value out of its declared range
 */
export function workerSettingsFromEnv(
  env: Environment,
  log: (line: string) => void,
): WorkerRuntimeOptions & { log: (line: string) => void } {
  return {
    redisUrl: redisTargetOf({}, env as NodeJS.ProcessEnv) ?? LOCAL_REDIS_URL,
    prefix: envText(env, 'TLBSIM_PREFIX') ?? DEFAULT_PREFIX,
    concurrency: envInteger(env, 'TLBSIM_WORKER_CONCURRENCY'),
    retentionSec: envInteger(env, 'TLBSIM_RETENTION_SEC'),
    log,
  };
}
