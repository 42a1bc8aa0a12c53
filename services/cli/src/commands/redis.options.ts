import { Command } from 'commander';
import { DEFAULT_PREFIX, JobsService, probeRedis, RedisUnreachableError } from '@tlbsim/jobs';

/** `--redis` and `--prefix`, shared by the distributed commands. */
export interface RedisOptions {
  redis: string;
  prefix: string;
}

/** The default of every `--prefix`: `$TLBSIM_PREFIX`, else {@link DEFAULT_PREFIX} (an empty variable counts as unset). */
export function defaultPrefix(): string {
  return process.env.TLBSIM_PREFIX || DEFAULT_PREFIX;
}

/**
 * Adds `--redis <url>` (default `$TLBSIM_REDIS_URL`, else `$REDIS_URL`, the
 * variable `serve` and the compose file use) and `--prefix` (default
 * `$TLBSIM_PREFIX`, else `tlbsim`).
 */
export function addRedisOptions(command: Command): Command {
  const env = process.env.TLBSIM_REDIS_URL || process.env.REDIS_URL;
  const redis = env
    ? command.option('--redis <url>', 'Redis URL (default $TLBSIM_REDIS_URL or $REDIS_URL)', env)
    : command.requiredOption('--redis <url>', 'Redis URL, for example redis://127.0.0.1:6379 (or set $TLBSIM_REDIS_URL / $REDIS_URL)');
  return redis.option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix());
}

/** {@link withRedisService} over a {@link JobsService}. */
export async function withJobs<T>(options: RedisOptions, fn: (jobs: JobsService) => Promise<T>): Promise<T> {
  return withRedisService(() => new JobsService({ redisUrl: options.redis, prefix: options.prefix }), options.redis, fn);
}

/** A service over Redis that can be pinged and closed ({@link JobsService}, `SweepsService`). */
export interface RedisBackedService {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Checks that Redis at `url` answers (bounded retries with backoff, else
 * `RedisUnreachableError`, which the program turns into one line and exit
 * 3), only then opens the service (whose connections would retry forever,
 * logging that Redis is unreachable), checks it answers within `timeoutMs`,
 * runs `fn`, closes the service.
 */
export async function withRedisService<S extends RedisBackedService, T>(open: () => S, url: string, fn: (service: S) => Promise<T>, timeoutMs = 5000): Promise<T> {
  await probeRedis(url);
  const service = open();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new RedisUnreachableError(url, `no answer within ${timeoutMs} ms`, 1)), timeoutMs); });
    await Promise.race([service.ping(), timeout]).finally(() => clearTimeout(timer));
    return await fn(service);
  } finally {
    await service.close().catch(() => undefined);
  }
}
