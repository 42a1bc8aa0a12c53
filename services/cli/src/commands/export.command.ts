import { Command } from 'commander';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** The action of `tlbsim export`; exit 2 for an unknown or expired job. */
export async function exportAction(ctx: CliContext, id: string, options: RedisOptions): Promise<number> {
  return withJobs(options, async (jobs) => {
    if (!(await jobs.get(id))) {
      ctx.io.err(`tlbsim: unknown job ${id}\n`);
      return EXIT.BAD_INPUT;
    }
    try {
      for await (const line of jobs.exportJob(id)) ctx.io.out(`${line}\n`);
    } catch (error) {
      ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
    return EXIT.OK;
  });
}

/** `tlbsim export <job>`: the job's scenario, events and report as ndjson on standard output. */
export function exportCommand(ctx: CliContext): Command {
  const command = new Command('export')
    .description('print a job (scenario, events, report) as ndjson, for `tlbsim replay`')
    .argument('<job>', 'job id');
  addRedisOptions(command)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, unknown job or a job that did not complete, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (id: string, options: RedisOptions) => ctx.setExitCode(await exportAction(ctx, id, options)));
  return command;
}
