import { Command } from 'commander';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim cancel`. */
export interface CancelOptions extends RedisOptions {
  json?: boolean;
}

/** The action of `tlbsim cancel`; exit 2 for an unknown job. */
export async function cancelAction(ctx: CliContext, id: string, options: CancelOptions): Promise<number> {
  return withJobs(options, async (jobs) => {
    const view = await jobs.cancel(id);
    if (!view) {
      ctx.io.err(`tlbsim: unknown job ${id}\n`);
      return EXIT.BAD_INPUT;
    }
    ctx.io.out(options.json ? `${JSON.stringify(view)}\n` : `${id} ${view.state}\n`);
    if (view.partialWindows !== null) {
      ctx.io.err(
        `tlbsim: job ${id} kept a partial report of its first ${view.partialWindows} windows (tlbsim trace ${id}, GET /api/jobs/${id}/result)\n`,
      );
    }
    return EXIT.OK;
  });
}

/** `tlbsim cancel <job>`: cancels a job; its running shards stop at their next window. */
export function cancelCommand(ctx: CliContext): Command {
  const command = new Command('cancel').description('cancel a distributed job').argument('<job>', 'job id');
  addRedisOptions(command)
    .option('--json', 'print the job view as JSON')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} cancelled (or already finished), ${EXIT.BAD_INPUT} bad input or unknown job, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (id: string, options: CancelOptions) => ctx.setExitCode(await cancelAction(ctx, id, options)));
  return command;
}
