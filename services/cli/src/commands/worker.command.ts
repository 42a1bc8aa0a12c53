import { Command } from 'commander';
import { envText } from '@tlbsim/contracts';
import { BARRIER_TIMEOUT_MS } from '@tlbsim/jobs';
import { runWorkerProcess, WorkerRuntimeOptions } from '@tlbsim/worker';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { integerOption } from '../option.parsers';
import { addRedisOptions, RedisOptions } from './redis.options';

/** Options of `tlbsim worker`. */
export interface WorkerOptions extends RedisOptions {
  concurrency: string;
  lockDurationMs?: string;
  stalledIntervalMs?: string;
  barrierTimeoutMs?: string;
  retentionSec?: string;
}

/**
 * Limits of the worker's flags (also `serve --worker-concurrency` and
 * `--retention-sec`): durations beyond a day would overflow Node's timers
 * (2^31-1 ms), retention beyond ten years and a million slots mean a typo.
 */
export const WORKER_OPTION_LIMITS = Object.freeze({
  concurrency: { min: 1, max: 1024 },
  lockDurationMs: { min: 100, max: 86_400_000 },
  stalledIntervalMs: { min: 100, max: 86_400_000 },
  barrierTimeoutMs: { min: 1000, max: 86_400_000 },
  retentionSec: { min: 1, max: 10 * 365 * 86_400 },
});

/** An optional flag as an integer within its {@link WORKER_OPTION_LIMITS}. @throws CliOptionError */
function limitedInt(flag: string, value: string | undefined, limits: { min: number; max: number }): number | undefined {
  return value === undefined ? undefined : integerOption(flag, value, limits.min, limits.max);
}

/**
 * The action of `tlbsim worker`: the worker process of `@tlbsim/worker`
 * (`runWorkerProcess`: checks Redis, runs until SIGTERM/SIGINT or until
 * `serve` that started it exits, stops gracefully) with the flags' settings.
 */
export async function workerAction(ctx: CliContext, options: WorkerOptions): Promise<number> {
  const L = WORKER_OPTION_LIMITS;
  let settings: WorkerRuntimeOptions & { log: (line: string) => void };
  try {
    settings = {
      redisUrl: options.redis,
      prefix: options.prefix,
      concurrency: limitedInt('--concurrency', options.concurrency, L.concurrency),
      lockDurationMs: limitedInt('--lock-duration-ms', options.lockDurationMs, L.lockDurationMs),
      stalledIntervalMs: limitedInt('--stalled-interval-ms', options.stalledIntervalMs, L.stalledIntervalMs),
      barrierTimeoutMs: limitedInt('--barrier-timeout-ms', options.barrierTimeoutMs, L.barrierTimeoutMs),
      retentionSec: limitedInt('--retention-sec', options.retentionSec, L.retentionSec),
      log: (line: string) => ctx.io.err(`${line}\n`),
    };
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  return runWorkerProcess(settings);
}

/** `tlbsim worker`: runs shard jobs from the queue. */
export function workerCommand(ctx: CliContext): Command {
  const command = new Command('worker').description('run shard jobs of distributed runs (stop with SIGTERM/SIGINT)');
  addRedisOptions(command)
    .option(
      '--concurrency <n>',
      'shards run at once (slots offered; default $TLBSIM_WORKER_CONCURRENCY or 1)',
      envText(process.env, 'TLBSIM_WORKER_CONCURRENCY'),
    )
    .option('--lock-duration-ms <ms>', 'BullMQ lock of a running shard (default 6000)')
    .option('--stalled-interval-ms <ms>', "how often dead workers' shards are looked for (default 3000)")
    .option(
      '--barrier-timeout-ms <ms>',
      `fail a job whose shards wait at a window's barrier this long with no progress from the missing shards (default ${BARRIER_TIMEOUT_MS})`,
    )
    .option('--retention-sec <s>', "seconds finished jobs' records are kept (default $TLBSIM_RETENTION_SEC or 3600)")
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} stopped by SIGTERM/SIGINT, ${EXIT.BAD_INPUT} bad input, ${EXIT.UNREACHABLE} Redis unreachable at start.`,
    )
    .action(async (options: WorkerOptions) => ctx.setExitCode(await workerAction(ctx, options)));
  return command;
}
