import { Command } from 'commander';
import { isFinalJobState, JobView } from '@tlbsim/contracts';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** The action of `tlbsim export`; exit 2 for an unknown or expired job. */
export async function exportAction(ctx: CliContext, id: string, options: RedisOptions): Promise<number> {
  return withJobs(options, async (jobs) => {
    const view = await jobs.get(id);
    if (!view) {
      ctx.io.err(`tlbsim: unknown job ${id}\n`);
      return EXIT.BAD_INPUT;
    }
    try {
      for await (const line of jobs.exportJob(id)) ctx.io.out(`${line}\n`);
    } catch (error) {
      ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
    const note = unfinishedNote(view);
    if (note) ctx.io.err(`tlbsim: ${note}\n`);
    return EXIT.OK;
  });
}

/**
 * What a replay can do with the export of a job that did not complete
 * (exported all the same: its inputs and events are worth keeping), or
 * null for a completed job.
 */
export function unfinishedNote(view: JobView): string | null {
  if (view.state === 'completed') return null;
  const head = `job ${view.id} did not complete (${view.state})`;
  if (view.partialWindows !== null)
    return `${head}: \`tlbsim replay\` of this export needs --until-window ${view.partialWindows} (its partial report's windows)`;
  if (isFinalJobState(view.state)) return `${head} and kept no partial report: this export has no digest to replay`;
  return `${head} yet: this export has no digest to replay; export it again once it has finished`;
}

/** `tlbsim export <job>`: the job's scenario, events and report as ndjson on standard output. */
export function exportCommand(ctx: CliContext): Command {
  const command = new Command('export')
    .description('print a job (scenario, events, report) as ndjson, for `tlbsim replay`')
    .argument('<job>', 'job id');
  addRedisOptions(command)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok (a job that did not complete is exported too, with a line on stderr saying how to replay it), ${EXIT.BAD_INPUT} bad input or unknown job, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (id: string, options: RedisOptions) => ctx.setExitCode(await exportAction(ctx, id, options)));
  return command;
}
