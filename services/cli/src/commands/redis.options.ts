import { Command, CommanderError } from 'commander';
import { envText } from '@tlbsim/contracts';
import {
  CLUSTER_DOWN_TOLERANCE_MS,
  clusterNodesOf,
  createJobsService,
  DEFAULT_PREFIX,
  isClusterUrl,
  isConnectionError,
  JobsService,
  probeRedis,
  RedisConnectionMonitor,
  redisTargetOf,
  RedisUnreachableError,
} from '@tlbsim/jobs';

/** `--redis` (or `--redis-cluster`, resolved into it) and `--prefix`, shared by the distributed commands. */
export interface RedisOptions {
  /** The Redis target: a `redis://` URL, or a `redis-cluster://` URL made from `--redis-cluster` / `$REDIS_CLUSTER_NODES`. */
  redis: string;
  /** `--redis-cluster` as given (folded into {@link redis} before the action runs). */
  redisCluster?: string;
  prefix: string;
}

/** The default of every `--prefix`: `$TLBSIM_PREFIX`, else {@link DEFAULT_PREFIX} (an empty variable counts as unset). */
export function defaultPrefix(): string {
  return envText(process.env, 'TLBSIM_PREFIX') ?? DEFAULT_PREFIX;
}

/** Help of `--redis-cluster`. */
export const REDIS_CLUSTER_HELP =
  'Redis Cluster seed nodes host:port[,host:port...] (or a redis-cluster:// / rediss-cluster:// URL; default $REDIS_CLUSTER_NODES); excludes --redis';

/**
 * Folds `--redis-cluster` (and the environment, unless `useEnv` is false)
 * into `--redis` before the action runs ({@link redisTargetOf}); both
 * flags, both variables, a malformed node or (when `required`) none at all
 * is one line and exit 2.
 */
export function resolveRedisBeforeAction(command: Command, required: boolean, useEnv = true): Command {
  return command.hook('preAction', (_cmd, action) => {
    const opts = action.opts<{ redis?: string; redisCluster?: string }>();
    let target: string | undefined;
    try {
      target = redisTargetOf({ redis: opts.redis, redisCluster: opts.redisCluster }, process.env, useEnv);
    } catch (error) {
      badInput(action, (error as Error).message);
    }
    if (target === undefined && required) {
      badInput(
        action,
        '--redis <url> or --redis-cluster <host:port,...> is required (or set $TLBSIM_REDIS_URL / $REDIS_URL / $REDIS_CLUSTER_NODES)',
      );
    }
    if (target !== undefined) action.setOptionValue('redis', target);
  });
}

/** Writes `tlbsim: <message>` (one line) where the command writes errors and stops with exit 2. */
function badInput(command: Command, message: string): never {
  const line = `tlbsim: ${message}\n`;
  const out = command.configureOutput() as { writeErr?: (s: string) => void };
  (out.writeErr ?? ((s: string) => process.stderr.write(s)))(line);
  throw new CommanderError(2, 'tlbsim.redis', message);
}

/**
 * Adds `--redis <url>` (default `$TLBSIM_REDIS_URL`, else `$REDIS_URL`, the
 * variable `serve` and the compose file use), `--redis-cluster <nodes>`
 * (default `$REDIS_CLUSTER_NODES`) and `--prefix` (default
 * `$TLBSIM_PREFIX`, else `tlbsim`). One of the two Redis flags (or
 * variables) is required.
 */
export function addRedisOptions(command: Command): Command {
  command
    .option('--redis <url>', 'Redis URL, for example redis://127.0.0.1:6379 (default $TLBSIM_REDIS_URL or $REDIS_URL)')
    .option('--redis-cluster <nodes>', REDIS_CLUSTER_HELP)
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix());
  return resolveRedisBeforeAction(command, true);
}

/** The flag and value that hand the Redis target `url` to a child `tlbsim` process (`--redis` or `--redis-cluster`). */
export function redisArgsOf(url: string): [string, string] {
  return isClusterUrl(url) ? ['--redis-cluster', clusterNodesOf(url)] : ['--redis', url];
}

/** Why a command failed for good, e.g. `CLUSTERDOWN The cluster is down (still after 20 s of retries)`. */
function commandFailure(url: string, error: Error): string {
  const cause = error.message.split('\n')[0].replace(/^Too many Cluster redirections\. Last error: (\w*Error: )?/, '');
  return isClusterUrl(url) ? `${cause} (still after ${CLUSTER_DOWN_TOLERANCE_MS / 1000} s of retries)` : cause;
}

/** {@link withRedisService} over a {@link JobsService}. */
export async function withJobs<T>(options: RedisOptions, fn: (jobs: JobsService) => Promise<T>): Promise<T> {
  return withRedisService(
    () => createJobsService({ redisUrl: options.redis, prefix: options.prefix }),
    options.redis,
    fn,
  );
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
export async function withRedisService<S extends RedisBackedService, T>(
  open: () => S,
  url: string,
  fn: (service: S) => Promise<T>,
  timeoutMs = 5000,
): Promise<T> {
  await probeRedis(url);
  const service = open();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisUnreachableError(url, `no answer within ${timeoutMs} ms`, 1)),
        timeoutMs,
      );
    });
    await Promise.race([service.ping(), timeout]).finally(() => clearTimeout(timer));
    return await fn(service);
  } catch (error) {
    // A Redis Cluster's commands fail (after CLUSTER_DOWN_TOLERANCE_MS) instead of waiting forever: one line, exit 3.
    if (error instanceof Error && !(error instanceof RedisUnreachableError) && isConnectionError(error)) {
      RedisConnectionMonitor.of(url).failed(error); // so closing drops the connections instead of waiting for goodbyes
      throw new RedisUnreachableError(url, commandFailure(url, error), 0);
    }
    throw error;
  } finally {
    await service.close().catch(() => undefined);
  }
}
