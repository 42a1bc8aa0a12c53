#!/usr/bin/env node
/**
 * The worker process, as containers start it (deploy/Dockerfile's image,
 * docker-compose.yml, deploy/k8s/worker.yaml): configured by the
 * environment only (docs/environment.md: `TLBSIM_REDIS_URL`, `REDIS_URL` or
 * `REDIS_CLUSTER_NODES`, `TLBSIM_PREFIX`, `TLBSIM_WORKER_CONCURRENCY`,
 * `TLBSIM_RETENTION_SEC`). `tlbsim worker` runs the same process with flags.
 * Exit codes: 0 stopped by SIGTERM/SIGINT, 2 a bad environment or no Redis named, 3 Redis
 * unreachable at start.
 */
import { environmentErrors, EXIT } from '@tlbsim/contracts';
import { RedisUnreachableError } from '@tlbsim/jobs';
import { workerSettingsFromEnv } from './worker.settings';
import { runWorkerProcess } from './worker.process';

async function main(): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const bad = environmentErrors(process.env, 'worker');
  for (const e of bad) log(`tlbsim worker: ${e.message}`);
  if (bad.length > 0) return EXIT.BAD_INPUT;
  let settings;
  try {
    settings = workerSettingsFromEnv(process.env, log);
  } catch (error) {
    log(`tlbsim worker: ${(error as Error).message}`);
    return EXIT.BAD_INPUT;
  }
  try {
    return await runWorkerProcess(settings);
  } catch (error) {
    if (!(error instanceof RedisUnreachableError)) throw error;
    log(`tlbsim worker: ${error.message}`);
    return EXIT.UNREACHABLE;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `tlbsim worker: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(EXIT.RUN_FAILED);
  },
);
