import { Command, Option } from 'commander';
import { JOB_STATES, JobState } from '@tlbsim/contracts';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { formatJobs } from '../jobs.formatter';
import { CliOptionError, integerOption } from '../option.parsers';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim jobs`. */
export interface JobsOptions extends RedisOptions {
  json?: boolean;
  state?: JobState;
  limit: string;
}

/** Most jobs `tlbsim jobs --limit` lists (the API's page limit). */
export const JOBS_LIMIT_MAX = 500;

/** Jobs `tlbsim jobs` lists by default. @defaultValue 20 */
export const JOBS_LIMIT_DEFAULT = 20;

/** The action of `tlbsim jobs`: the newest jobs, of one state with `--state`. */
export async function jobsAction(ctx: CliContext, options: JobsOptions): Promise<number> {
  let limit: number;
  try {
    limit = integerOption('--limit', options.limit, 1, JOBS_LIMIT_MAX);
  } catch (error) {
    if (!(error instanceof CliOptionError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return EXIT.BAD_INPUT;
  }
  return withJobs(options, async (jobs) => {
    const page = await jobs.list({ limit, state: options.state });
    ctx.io.out(options.json ? `${JSON.stringify(page)}\n` : formatJobs(page.items, page.total, Date.now()));
    return EXIT.OK;
  });
}

/** `tlbsim jobs`: the distributed jobs, newest first. */
export function jobsCommand(ctx: CliContext): Command {
  const command = new Command('jobs').description(
    'list distributed jobs, newest first: id, name, state, shards, progress, violations, age',
  );
  addRedisOptions(command)
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
    .option('--limit <n>', `jobs to list (1..${JOBS_LIMIT_MAX})`, String(JOBS_LIMIT_DEFAULT))
    .option('--json', 'print the page of job views {"items", "total", "offset", "limit"} (as GET /api/jobs)')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (options: JobsOptions) => ctx.setExitCode(await jobsAction(ctx, options)));
  return command;
}
