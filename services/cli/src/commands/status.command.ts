import { Command } from 'commander';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { formatStatus } from '../jobs.formatter';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim status`. */
export interface StatusOptions extends RedisOptions {
  json?: boolean;
}

/** The action of `tlbsim status`: the job's view now; exit 2 for an unknown job. */
export async function statusAction(ctx: CliContext, id: string, options: StatusOptions): Promise<number> {
  return withJobs(options, async (jobs) => {
    const view = await jobs.get(id);
    if (!view) {
      ctx.io.err(`tlbsim: unknown job ${id} (tlbsim jobs lists them)\n`);
      return EXIT.BAD_INPUT;
    }
    ctx.io.out(options.json ? `${JSON.stringify(view)}\n` : formatStatus(view, Date.now()));
    return EXIT.OK;
  });
}

/** `tlbsim status <job>`: one job's state, progress and violations. */
export function statusCommand(ctx: CliContext): Command {
  const command = new Command('status')
    .description("a distributed job's state, shards, progress and violations, now")
    .argument('<job>', 'job id');
  addRedisOptions(command)
    .option('--json', 'print the job view as JSON (as GET /api/jobs/:id)')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input or unknown job, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (id: string, options: StatusOptions) => ctx.setExitCode(await statusAction(ctx, id, options)));
  return command;
}
