import { Command } from 'commander';
import { type JobView, ScenarioInputError } from '@tlbsim/contracts';
import { JobLimitError, JobsService } from '@tlbsim/jobs';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption, ProgressMode } from '../progress.reporter';
import { followJob, waitingLine } from './job.follow';
import { addWitnessOptions, ReportOutputOptions, witnessSelectionOrReport } from './report.output';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';
import { exitCodeHelp } from './run.command';
import { addScenarioOptions, loadScenarioOrReport, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim submit`. */
export interface SubmitOptions extends ScenarioOptions, RedisOptions, ReportOutputOptions {
  wait?: boolean;
  json?: boolean;
  failOnViolation?: boolean;
  witnesses: string;
  waitTimeout?: string;
  progress?: ProgressMode;
}

/** A timeout flag's value in ms, or undefined when not given; throws a one-line message if not a positive number. */
export function timeoutMsOf(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`${flag}: expected a positive number of seconds, got ${value}`);
  return seconds * 1000;
}

/**
 * Without `--wait`: says on stderr when the job cannot start now (no live
 * worker, or too few free slots), the line `--wait` prints, and how to follow it.
 */
async function warnIfNoCapacity(ctx: CliContext, jobs: JobsService, view: JobView): Promise<void> {
  const { live, free } = await jobs.slotsNow();
  if (free >= view.shards) return;
  const none = live === 0 ? `tlbsim: no worker is live (start one: tlbsim worker --redis <url>)\n` : '';
  ctx.io.err(`${none}${waitingLine(view.id, view.shards, live, free)}`);
}

/** The action of `tlbsim submit`; returns the exit code. */
export async function submitAction(ctx: CliContext, file: string, options: SubmitOptions): Promise<number> {
  const config = loadScenarioOrReport(ctx, file, options);
  if (!config) return EXIT.BAD_INPUT;
  if (!witnessSelectionOrReport(ctx, options, config.fleet.hosts * config.fleet.vmsPerHost)) return EXIT.BAD_INPUT;
  let timeoutMs: number | undefined;
  try {
    timeoutMs = timeoutMsOf('--wait-timeout', options.waitTimeout);
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  return withJobs(options, async (jobs) => {
    let view: JobView;
    try {
      view = await jobs.submit(config, { overrides: scenarioOverrides(options) });
    } catch (error) {
      if (error instanceof ScenarioInputError) {
        for (const e of error.errors) ctx.io.err(`tlbsim: ${e.message}\n`);
        return EXIT.BAD_INPUT;
      }
      if (!(error instanceof JobLimitError)) throw error;
      ctx.io.err(`tlbsim: ${error.message}\n`);
      return EXIT.BAD_INPUT;
    }
    const id = view.id;
    if (!options.wait) {
      ctx.io.out(options.json ? `${JSON.stringify({ id })}\n` : `${id}\n`);
      await warnIfNoCapacity(ctx, jobs, view);
      return EXIT.OK;
    }
    ctx.io.err(`tlbsim: submitted job ${id} (${config.run.shards} shards)\n`);
    const timeout =
      timeoutMs === undefined
        ? undefined
        : { ms: timeoutMs, flag: '--wait-timeout', seconds: options.waitTimeout!, cancel: true };
    return followJob(ctx, jobs, view, config, options, timeout);
  });
}

/** `tlbsim submit <scenario>`: runs a scenario on the workers. */
export function submitCommand(ctx: CliContext): Command {
  const command = new Command('submit')
    .description(
      'submit a scenario as a distributed job (one BullMQ job per shard); prints the job id, or with --wait the report',
    )
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)');
  addScenarioOptions(command);
  addProgressOption(addRedisOptions(command))
    .option('--wait', 'wait for the job and print its report like `tlbsim run` (Ctrl-C leaves the job running)')
    .option('--json', 'with --wait: print the report as one JSON object (the RunReport); else {"id"}')
    .option('--fail-on-violation', `with --wait: exit with ${EXIT.VIOLATIONS} if the run found any violation`)
    .option(
      '--wait-timeout <s>',
      `with --wait: give up after this many seconds, cancel the job and exit ${EXIT.UNREACHABLE}`,
    );
  addWitnessOptions(command)
    .addHelpText('after', exitCodeHelp())
    .action(async (file: string, options: SubmitOptions) => ctx.setExitCode(await submitAction(ctx, file, options)));
  return command;
}
