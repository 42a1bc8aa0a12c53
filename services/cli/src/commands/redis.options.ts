import { Command } from 'commander';
import { DEFAULT_PREFIX, JobsService } from '@tlbsim/jobs';
import { RedisUnreachableError } from '../redis-unreachable.error';

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

/**
 * Opens a {@link JobsService}, fails fast if Redis does not answer within
 * `timeoutMs` (ioredis would otherwise retry forever), runs `fn`, closes.
 */
export async function withJobs<T>(options: RedisOptions, fn: (jobs: JobsService) => Promise<T>, timeoutMs = 5000): Promise<T> {
  return withRedisService(new JobsService({ redisUrl: options.redis, prefix: options.prefix }), options.redis, fn, timeoutMs);
}

/** A service over Redis that can be pinged and closed ({@link JobsService}, `SweepsService`). */
export interface RedisBackedService {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Fails fast if `service`'s Redis does not answer within `timeoutMs` (ioredis
 * would otherwise retry forever), runs `fn`, closes the service.
 */
export async function withRedisService<S extends RedisBackedService, T>(service: S, url: string, fn: (service: S) => Promise<T>, timeoutMs = 5000): Promise<T> {
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new RedisUnreachableError(url, timeoutMs)), timeoutMs); });
    await Promise.race([service.ping(), timeout]).finally(() => clearTimeout(timer));
    return await fn(service);
  } finally {
    await service.close().catch(() => undefined);
  }
}
