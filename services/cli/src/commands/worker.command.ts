import { Command } from 'commander';
import { WorkerRuntime } from '@tlbsim/worker';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions } from './redis.options';

/** Options of `tlbsim worker`. */
export interface WorkerOptions extends RedisOptions {
  concurrency: string;
  lockDurationMs?: string;
  stalledIntervalMs?: string;
  retentionSec?: string;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got ${value}`);
  return n;
}

/** The action of `tlbsim worker`: runs until SIGTERM/SIGINT, then stops gracefully. */
export async function workerAction(ctx: CliContext, options: WorkerOptions): Promise<number> {
  let runtime: WorkerRuntime;
  try {
    runtime = new WorkerRuntime({
      redisUrl: options.redis, prefix: options.prefix, concurrency: positiveInt('--concurrency', options.concurrency),
      lockDurationMs: positiveInt('--lock-duration-ms', options.lockDurationMs), stalledIntervalMs: positiveInt('--stalled-interval-ms', options.stalledIntervalMs),
      retentionSec: positiveInt('--retention-sec', options.retentionSec), log: (line) => ctx.io.err(`${line}\n`),
    });
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  await runtime.start();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void runtime.stop().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return EXIT.OK;
}

/** `tlbsim worker`: runs shard jobs from the queue. */
export function workerCommand(ctx: CliContext): Command {
  const command = new Command('worker').description('run shard jobs of distributed runs (stop with SIGTERM/SIGINT)');
  addRedisOptions(command)
    .option('--concurrency <n>', 'shards run at once (slots offered; default $TLBSIM_WORKER_CONCURRENCY or 1)', process.env.TLBSIM_WORKER_CONCURRENCY || '1')
    .option('--lock-duration-ms <ms>', 'BullMQ lock of a running shard (default 6000)')
    .option('--stalled-interval-ms <ms>', 'how often dead workers\' shards are looked for (default 3000)')
    .option('--retention-sec <s>', 'seconds finished jobs\' records are kept (default 3600)')
    .action(async (options: WorkerOptions) => ctx.setExitCode(await workerAction(ctx, options)));
  return command;
}
