import { Command } from 'commander';
import { accessesExpectedOf, JobEvent, JobView, windowsExpectedOf } from '@tlbsim/contracts';
import { isFinal, JobGoneError, JobLimitError, JobsService, redactRedisUrl } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption, createProgressReporter, ProgressMode } from '../progress.reporter';
import { addWitnessOptions, printReport, ReportOutputOptions, witnessSelectionOrReport } from './report.output';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';
import { exitCodeHelp } from './run.command';
import { addScenarioOptions, loadScenarioOrReport, ScenarioOptions } from './scenario.options';

/** Options of `tlbsim submit`. */
export interface SubmitOptions extends ScenarioOptions, RedisOptions, ReportOutputOptions {
  wait?: boolean;
  json?: boolean;
  failOnViolation?: boolean;
  witnesses: string;
  waitTimeout?: string;
  progress?: ProgressMode;
}

/** The line `submit` prints while a job waits for workers, e.g. "needs 4 slots, 2 live". */
export function waitingLine(id: string, needed: number, live: number, free: number): string {
  const held = free < live ? `; ${free} free (other jobs hold the rest)` : '';
  return `tlbsim: job ${id} waiting for workers: needs ${needed} slots, ${live} live${held}\n`;
}

/** `--wait-timeout` in ms, or undefined when not given; throws a one-line message if not a positive number. */
function waitTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`--wait-timeout: expected a positive number of seconds, got ${value}`);
  return seconds * 1000;
}

/** What {@link waitBounded} gives when the deadline passed while Redis was unreachable. */
const REDIS_DOWN = 'redis-down';

/** How long a wait goes on past its deadline for a reachable Redis to answer the last reads. */
const DEADLINE_GRACE_MS = 5000;

/**
 * `waiting` (a {@link JobsService.waitFor} with the same deadline), except
 * that Redis commands wait for an unreachable Redis to come back: if Redis
 * is unreachable when `timeoutMs` has passed (or stops answering for the
 * grace after it), gives {@link REDIS_DOWN} instead of waiting on.
 */
async function waitBounded(
  jobs: JobsService,
  waiting: Promise<JobView>,
  timeoutMs: number | undefined,
): Promise<JobView | typeof REDIS_DOWN> {
  if (timeoutMs === undefined) return waiting;
  // Rejected once the connections close, after we gave up: nobody waits for it then.
  waiting.catch(() => undefined);
  const after = (ms: number): { done: Promise<typeof REDIS_DOWN>; clear: () => void } => {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<typeof REDIS_DOWN>((resolve) => {
      timer = setTimeout(() => resolve(REDIS_DOWN), ms);
    });
    return { done, clear: () => clearTimeout(timer) };
  };
  const deadline = after(timeoutMs);
  const first = await Promise.race([waiting, deadline.done]).finally(deadline.clear);
  if (first !== REDIS_DOWN || !jobs.reachable()) return first;
  const grace = after(DEADLINE_GRACE_MS);
  return Promise.race([waiting, grace.done]).finally(grace.clear);
}

/** Waits for the job, drawing progress from its window-completed events; returns the exit code. */
async function waitAndPrint(
  ctx: CliContext,
  jobs: JobsService,
  view0: JobView,
  config: SimConfig,
  options: SubmitOptions,
): Promise<number> {
  const id = view0.id;
  const windowsEstimate = view0.progress.windowsEstimate;
  const progress = createProgressReporter(ctx.io, `${config.kvm.policy} ${id}`, options.progress);
  const perShard = new Map<number, { window: number; accesses: number }>();
  const onEvent = (e: JobEvent): void => {
    if (e.type === 'waiting-for-workers')
      ctx.io.err(waitingLine(id, e.slotsNeeded ?? 0, e.slotsLive ?? e.slotsFree ?? 0, e.slotsFree ?? 0));
    if (e.type === 'resized') {
      // A new shard layout (tlbsim resize, run.minShards): its shard 0 reports the counts so far.
      perShard.clear();
      ctx.io.err(`job ${id} runs on ${e.shards} shard${e.shards === 1 ? '' : 's'} from window ${e.window ?? 0}\n`);
    }
    if (e.type !== 'window-completed' || e.shard === undefined) return;
    perShard.set(e.shard, { window: (e.window ?? 0) + 1, accesses: e.accesses ?? 0 });
    const all = [...perShard.values()];
    const window = Math.min(...all.map((s) => s.window));
    const accesses = all.reduce((a, s) => a + s.accesses, 0);
    progress.update({
      window,
      windowsEstimate: windowsExpectedOf(config, accesses, window, windowsEstimate),
      accesses,
      accessesTotal: accessesExpectedOf(config, accesses, window, windowsEstimate),
    });
  };
  let view;
  try {
    view = await waitBounded(
      jobs,
      jobs.waitFor(id, onEvent, { timeoutMs: waitTimeoutMs(options.waitTimeout) }),
      waitTimeoutMs(options.waitTimeout),
    );
  } catch (error) {
    if (!(error instanceof JobGoneError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return EXIT.RUN_FAILED;
  } finally {
    progress.stop();
  }
  if (view === REDIS_DOWN) {
    ctx.io.err(
      `tlbsim: job ${id}: Redis at ${redactRedisUrl(options.redis)} still unreachable after --wait-timeout ${options.waitTimeout} s; gave up (the job could not be cancelled)\n`,
    );
    return EXIT.UNREACHABLE;
  }
  if (!isFinal(view.state)) {
    const slots = view.slots ? ` (needs ${view.slots.needed} slots, ${view.slots.live} live)` : '';
    const cancelled = await jobs.cancel(id);
    ctx.io.err(
      `tlbsim: job ${id} still ${view.state} after ${options.waitTimeout} s${slots}; ${cancelled?.state ?? 'cancel requested'}\n`,
    );
    return printPartial(ctx, jobs, id, options, EXIT.UNREACHABLE);
  }
  if (view.state !== 'completed') {
    ctx.io.err(`tlbsim: job ${id} ${view.state}${view.error ? `: ${view.error}` : ''}\n`);
    return printPartial(ctx, jobs, id, options, EXIT.RUN_FAILED);
  }
  const report = await jobs.result(id);
  if (!report) {
    ctx.io.err(`tlbsim: job ${id} completed but its report is gone\n`);
    return EXIT.RUN_FAILED;
  }
  return printReport(ctx, report, options);
}

/**
 * Prints the partial report of a job that was cancelled or failed (what it
 * found before it stopped), saying so on stderr; the exit code stays `code`.
 */
async function printPartial(
  ctx: CliContext,
  jobs: JobsService,
  id: string,
  options: SubmitOptions,
  code: number,
): Promise<number> {
  const report = await jobs.result(id);
  if (!report?.partial) return code;
  ctx.io.err(
    `tlbsim: job ${id}: partial report, its first ${report.metrics.windows} windows (what it found before it stopped)\n`,
  );
  printReport(ctx, report, options);
  return code;
}

/** The action of `tlbsim submit`; returns the exit code. */
export async function submitAction(ctx: CliContext, file: string, options: SubmitOptions): Promise<number> {
  const config = loadScenarioOrReport(ctx, file, options);
  if (!config) return EXIT.BAD_INPUT;
  if (!witnessSelectionOrReport(ctx, options, config.fleet.hosts * config.fleet.vmsPerHost)) return EXIT.BAD_INPUT;
  try {
    waitTimeoutMs(options.waitTimeout);
  } catch (error) {
    ctx.io.err(`tlbsim: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  return withJobs(options, async (jobs) => {
    let view: JobView;
    try {
      view = await jobs.submit(config);
    } catch (error) {
      if (!(error instanceof JobLimitError)) throw error;
      ctx.io.err(`tlbsim: ${error.message}\n`);
      return EXIT.BAD_INPUT;
    }
    const id = view.id;
    if (!options.wait) {
      ctx.io.out(options.json ? `${JSON.stringify({ id })}\n` : `${id}\n`);
      return EXIT.OK;
    }
    ctx.io.err(`tlbsim: submitted job ${id} (${config.run.shards} shards)\n`);
    return waitAndPrint(ctx, jobs, view, config, options);
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
    .option('--wait', 'wait for the job and print its report like `tlbsim run`')
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
