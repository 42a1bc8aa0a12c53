import { accessesExpectedOf, JobEvent, JobView, windowsExpectedOf } from '@tlbsim/contracts';
import { compareStreamIds, isFinal, JobGoneError, JobsService, parseStreamId, redactRedisUrl } from '@tlbsim/jobs';
import type { RunReport, RunSummary } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { delay, InterruptWatch, watchInterrupts } from '../interrupt.util';
import { createProgressReporter, ProgressMode, ProgressReporter } from '../progress.reporter';
import { hostMsBetween, runSummaryOf } from '../run-summary.formatter';
import { printReport, ReportOutputOptions } from './report.output';
import type { RedisOptions } from './redis.options';

/**
 * Following a distributed job to its end (`submit --wait`, `wait`): its
 * progress from the event stream, the report or partial report, the exit
 * code, and what Ctrl-C does to it.
 */

/** Options of a command that follows a job to its end. */
export interface FollowOptions extends RedisOptions, ReportOutputOptions {
  progress?: ProgressMode;
}

/** How long after a first Ctrl-C a second one cancels the job being followed. @defaultValue 2000 */
export const SECOND_INTERRUPT_MS = 2000;

/** The line `submit` prints while a job waits for workers, e.g. "needs 4 slots, 2 live". */
export function waitingLine(id: string, needed: number, live: number, free: number): string {
  const held = free < live ? `; ${free} free (other jobs hold the rest)` : '';
  return `tlbsim: job ${id} waiting for workers: needs ${needed} slots, ${live} live${held}\n`;
}

/** What {@link waitBounded} gives when the deadline passed while Redis was unreachable. */
const REDIS_DOWN = 'redis-down';

/** What the wait gives when Ctrl-C came first. */
const INTERRUPTED = 'interrupted';

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

/** True when stream id `id` comes after `after` (null: every id does). */
function isAfter(id: string, after: string | null): boolean {
  const a = after === null ? null : parseStreamId(after);
  const b = parseStreamId(id);
  return a === null || b === null || compareStreamIds(b, a) > 0;
}

/**
 * Feeds a job's window-completed events to `progress`, summed over its
 * shards; says when it waits or is resized (only for events after
 * `newAfter`: an earlier one is history, no longer true).
 */
function progressFeed(
  ctx: CliContext,
  view0: JobView,
  config: SimConfig | null,
  progress: ProgressReporter,
  newAfter: string | null,
): (e: JobEvent) => void {
  const id = view0.id;
  const perShard = new Map<number, { window: number; accesses: number }>();
  return (e) => {
    switch (e.type) {
      case 'waiting-for-workers':
        if (isAfter(e.id, newAfter))
          ctx.io.err(waitingLine(id, e.slotsNeeded, e.slotsLive ?? e.slotsFree, e.slotsFree));
        return;
      case 'resized':
        if (!isAfter(e.id, newAfter)) return;
        // A new shard layout (tlbsim resize, run.minShards): its shard 0 reports the counts so far.
        perShard.clear();
        ctx.io.err(`job ${id} runs on ${e.shards} shard${e.shards === 1 ? '' : 's'} from window ${e.window}\n`);
        return;
      case 'window-completed':
        perShard.set(e.shard, { window: e.window + 1, accesses: e.accesses });
        progress.update(progressOf([...perShard.values()], view0, config));
        return;
    }
  };
}

/** The progress of a job from its shards' latest windows and accesses (summed over shards). */
function progressOf(
  shards: readonly { window: number; accesses: number }[],
  view0: JobView,
  config: SimConfig | null,
): Parameters<ProgressReporter['update']>[0] {
  const windowsEstimate = view0.progress.windowsEstimate;
  const window = Math.min(...shards.map((s) => s.window));
  const accesses = shards.reduce((a, s) => a + s.accesses, 0);
  return {
    window,
    windowsEstimate: config ? windowsExpectedOf(config, accesses, window, windowsEstimate) : windowsEstimate,
    accesses,
    accessesTotal: config
      ? accessesExpectedOf(config, accesses, window, windowsEstimate)
      : Math.max(accesses, view0.progress.accessesTotal),
  };
}

/**
 * After a first Ctrl-C: says the job goes on and how to follow or cancel
 * it; a second Ctrl-C within {@link SECOND_INTERRUPT_MS} cancels it.
 */
async function leaveJob(ctx: CliContext, jobs: JobsService, id: string, interrupts: InterruptWatch): Promise<number> {
  ctx.io.err(
    `tlbsim: interrupted: job ${id} goes on on the workers (tlbsim wait ${id} follows it, tlbsim cancel ${id} cancels it; Ctrl-C again within ${SECOND_INTERRUPT_MS / 1000} s cancels it now)\n`,
  );
  const again = await Promise.race([interrupts.second.then(() => true), delay(SECOND_INTERRUPT_MS).then(() => false)]);
  if (again) {
    const view = await jobs.cancel(id);
    ctx.io.err(`tlbsim: job ${id} ${view?.state ?? 'unknown'}\n`);
  }
  return EXIT.INTERRUPTED;
}

/** How {@link followJob} ends a wait that reached its timeout: cancel the job (`submit --wait-timeout`) or leave it. */
export interface FollowTimeout {
  ms: number;
  /** The flag that set it, for the messages, e.g. `--wait-timeout`. */
  flag: string;
  /** Its value as given, e.g. `8`. */
  seconds: string;
  cancel: boolean;
}

/**
 * Waits for the job, drawing progress from its window-completed events,
 * prints its report (or partial report) and returns the exit code: as
 * `submit --wait` documents, and {@link EXIT.INTERRUPTED} after Ctrl-C.
 * @param config - the job's scenario, for the progress estimate (null: the job view's)
 * @param fresh - the job was just submitted (false: its earlier events are not reported as news)
 */
export async function followJob(
  ctx: CliContext,
  jobs: JobsService,
  view0: JobView,
  config: SimConfig | null,
  options: FollowOptions,
  timeout?: FollowTimeout,
  fresh = true,
): Promise<number> {
  const id = view0.id;
  const progress = createProgressReporter(ctx.io, `${view0.policy} ${id}`, options.progress);
  const interrupts = watchInterrupts();
  // Following a job submitted earlier (`wait`): its past waiting and resize lines are not news.
  const newAfter = fresh ? null : await jobs.lastEventId(id);
  const feed = progressFeed(ctx, view0, config, progress, newAfter);
  let following = true; // until Ctrl-C: the wait reads on until the connections close, silently
  const waiting = jobs.waitFor(id, (e) => following && feed(e), { timeoutMs: timeout?.ms });
  // Rejected once the connections close, after we gave up: nobody waits for it then.
  waiting.catch(() => undefined);
  let view;
  try {
    view = await Promise.race([
      waitBounded(jobs, waiting, timeout?.ms),
      interrupts.first.then(() => INTERRUPTED as typeof INTERRUPTED),
    ]);
    following = false;
    progress.stop();
    if (view === INTERRUPTED) return await leaveJob(ctx, jobs, id, interrupts);
  } catch (error) {
    if (!(error instanceof JobGoneError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return EXIT.RUN_FAILED;
  } finally {
    progress.stop();
    interrupts.off();
  }
  return endOfWait(ctx, jobs, id, view, { ...options, config }, timeout);
}

/** What printing a followed job's report needs: the output options and the job's scenario (null: not known). */
type PrintOptions = FollowOptions & { config: SimConfig | null };

/** The report's run summary: the job's wall time on the workers (first shard's start to its end) and its scenario. */
function jobSummary(report: RunReport, view: JobView, options: PrintOptions): RunSummary {
  return runSummaryOf(report, hostMsBetween(view.startedAt, view.finishedAt), options.config);
}

/** The outcome of a wait that ended (the job finished, or the timeout passed): messages, report, exit code. */
async function endOfWait(
  ctx: CliContext,
  jobs: JobsService,
  id: string,
  view: JobView | typeof REDIS_DOWN,
  options: PrintOptions,
  timeout?: FollowTimeout,
): Promise<number> {
  if (view === REDIS_DOWN) {
    ctx.io.err(
      `tlbsim: job ${id}: Redis at ${redactRedisUrl(options.redis)} still unreachable after ${timeout?.flag} ${timeout?.seconds} s; gave up${timeout?.cancel ? ' (the job could not be cancelled)' : ''}\n`,
    );
    return EXIT.UNREACHABLE;
  }
  if (!isFinal(view.state)) {
    const slots = view.slots ? ` (needs ${view.slots.needed} slots, ${view.slots.live} live)` : '';
    if (!timeout?.cancel) {
      ctx.io.err(`tlbsim: job ${id} still ${view.state} after ${timeout?.seconds} s${slots}; it goes on\n`);
      return EXIT.UNREACHABLE;
    }
    const cancelled = await jobs.cancel(id);
    ctx.io.err(
      `tlbsim: job ${id} still ${view.state} after ${timeout.seconds} s${slots}; ${cancelled?.state ?? 'cancel requested'}\n`,
    );
    return printPartial(ctx, jobs, cancelled ?? view, options, EXIT.UNREACHABLE);
  }
  if (view.state !== 'completed') {
    ctx.io.err(`tlbsim: job ${id} ${view.state}${view.error ? `: ${view.error}` : ''}\n`);
    return printPartial(ctx, jobs, view, options, EXIT.RUN_FAILED);
  }
  const report = await jobs.result(id);
  if (!report) {
    ctx.io.err(`tlbsim: job ${id} completed but its report is gone\n`);
    return EXIT.RUN_FAILED;
  }
  return printReport(ctx, report, options, undefined, jobSummary(report, view, options));
}

/**
 * Prints the partial report of a job that was cancelled or failed (what it
 * found before it stopped), saying so on stderr; the exit code stays `code`.
 */
async function printPartial(
  ctx: CliContext,
  jobs: JobsService,
  view: JobView,
  options: PrintOptions,
  code: number,
): Promise<number> {
  const id = view.id;
  const report = await jobs.result(id);
  if (!report?.partial) return code;
  ctx.io.err(
    `tlbsim: job ${id}: partial report, its first ${report.metrics.windows} windows (what it found before it stopped)\n`,
  );
  printReport(ctx, report, options, undefined, jobSummary(report, view, options));
  return code;
}
