import { Command } from 'commander';
import type { WorkerInfo } from '@tlbsim/contracts';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim workers`. */
export interface WorkersOptions extends RedisOptions {
  json?: boolean;
}

/** Columns of the `tlbsim workers` table, in order. */
export const WORKERS_COLUMNS = ['WORKER', 'HOST', 'PID', 'SLOTS', 'SHARDS'] as const;

/** The human listing: a header row, one row per worker (busy/offered slots, job#shard), then the totals. */
export function formatWorkers(workers: readonly WorkerInfo[], slots: { live: number; free: number }): string {
  const rows: string[][] = [
    [...WORKERS_COLUMNS],
    ...workers.map((w) => [
      w.id,
      w.host,
      String(w.pid),
      `${w.busy}/${w.capacity} busy`,
      w.shards.map((s) => `${s.jobId}#${s.shard}`).join(' ') || '-',
    ]),
  ];
  const widths = WORKERS_COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table =
    workers.length === 0
      ? ''
      : rows
          .map(
            (r) =>
              `${r
                .map((cell, c) => cell.padEnd(widths[c]))
                .join('  ')
                .trimEnd()}\n`,
          )
          .join('');
  const n = workers.length;
  return `${table}${n} live worker${n === 1 ? '' : 's'}, ${slots.live} slot${slots.live === 1 ? '' : 's'}, ${slots.free} free\n`;
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
