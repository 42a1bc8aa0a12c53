import { Command } from 'commander';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption } from '../progress.reporter';
import { followJob, FollowOptions } from './job.follow';
import { addWitnessOptions, witnessSelectionOrReport } from './report.output';
import { addRedisOptions, withJobs } from './redis.options';
import { timeoutMsOf } from './submit.command';

/** Options of `tlbsim wait`. */
export interface WaitOptions extends FollowOptions {
  timeout?: string;
}

/**
 * The action of `tlbsim wait`: follows a job to its end and prints its
 * report, or its partial report, with the exit codes of `submit --wait`;
 * `--timeout` gives up (exit 3) and leaves the job running.
 */
export async function waitAction(ctx: CliContext, id: string, options: WaitOptions): Promise<number> {
  let timeoutMs: number | undefined;
  try {
    timeoutMs = timeoutMsOf('--timeout', options.timeout);
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  if (!witnessSelectionOrReport(ctx, options)) return EXIT.BAD_INPUT;
  return withJobs(options, async (jobs) => {
    const view = await jobs.get(id);
    if (!view) {
      ctx.io.err(`tlbsim: unknown job ${id} (tlbsim jobs lists them)\n`);
      return EXIT.BAD_INPUT;
    }
    const timeout =
      timeoutMs === undefined
        ? undefined
        : { ms: timeoutMs, flag: '--timeout', seconds: options.timeout!, cancel: false };
    return followJob(ctx, jobs, view, await jobs.scenario(id), options, timeout, false);
  });
}

/** `tlbsim wait <job>`: waits for a submitted job and prints its report like `submit --wait`. */
export function waitCommand(ctx: CliContext): Command {
  const command = new Command('wait')
    .description(
      'wait for a distributed job and print its report (or the partial report of a cancelled or failed one), like submit --wait',
    )
    .argument('<job>', 'job id');
  addProgressOption(addRedisOptions(command))
    .option('--json', 'print the report as one JSON object (the RunReport)')
    .option('--fail-on-violation', `exit with ${EXIT.VIOLATIONS} if the run found any violation`)
    .option('--timeout <s>', `give up after this many seconds and exit ${EXIT.UNREACHABLE}; the job goes on`);
  addWitnessOptions(command)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} completed, ${EXIT.VIOLATIONS} violations found (--fail-on-violation), ${EXIT.BAD_INPUT} bad input or unknown job, ${EXIT.RUN_FAILED} job failed or cancelled (its partial report printed), Redis unreachable or --timeout reached, ${EXIT.INTERRUPTED} Ctrl-C (the job goes on).`,
    )
    .action(async (id: string, options: WaitOptions) => ctx.setExitCode(await waitAction(ctx, id, options)));
  return command;
}
