import { Command } from 'commander';
import type { WorkerInfo } from '@tlbsim/contracts';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim workers`. */
export interface WorkersOptions extends RedisOptions {
  json?: boolean;
}

/** The human listing: one line per worker, then the totals. */
export function formatWorkers(workers: readonly WorkerInfo[], slots: { live: number; free: number }): string {
  const lines = workers.map((w) => {
    const shards = w.shards.map((s) => `${s.jobId}#${s.shard}`).join(' ');
    return `${w.id}  ${w.host} pid ${w.pid}  ${w.busy}/${w.capacity} slots busy${shards ? `  ${shards}` : ''}\n`;
  });
  const n = workers.length;
  return `${lines.join('')}${n} live worker${n === 1 ? '' : 's'}, ${slots.live} slot${slots.live === 1 ? '' : 's'}, ${slots.free} free\n`;
}

/** The action of `tlbsim workers`. */
export async function workersAction(ctx: CliContext, options: WorkersOptions): Promise<number> {
  return withJobs(options, async (jobs) => {
    const [workers, slots] = await Promise.all([jobs.workers(), jobs.slotsNow()]);
    ctx.io.out(options.json ? `${JSON.stringify({ workers, slots })}\n` : formatWorkers(workers, slots));
    return EXIT.OK;
  });
}

/** `tlbsim workers`: live workers and free shard slots. */
export function workersCommand(ctx: CliContext): Command {
  const command = new Command('workers').description('list live workers, their busy slots and the free shard slots');
  addRedisOptions(command)
    .option('--json', 'print {"workers": [...], "slots": {"live", "free"}}')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (options: WorkersOptions) => ctx.setExitCode(await workersAction(ctx, options)));
  return command;
}
