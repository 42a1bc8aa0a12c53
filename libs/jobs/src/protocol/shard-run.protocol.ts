/**
 * The decisions of one shard run, as pure transitions: state + input ->
 * new state + outputs. No I/O, no clock (the time is an input), no
 * exceptions: every outcome is a value. `ShardExecutionService` drives them
 * over a `ShardStore` (Redis in workers, memory in the protocol simulator).
 */
import { CHECKPOINTS_KEPT, checkpointField, isCheckpointWindow } from '../checkpoint.schedule';
import type { BarrierStatus, CompletionKept, ResizeStopReply } from '../shard.store';

/** How a shard run ended. */
export type ShardRunOutcome = 'completed' | 'job-finished' | 'superseded' | 'resized';

/** The end of a run that a store reply decides (the job ended, or another run holds the shard). */
export type RunEnd = Extract<ShardRunOutcome, 'job-finished' | 'superseded'>;

/** What a run does once taken from the queue. */
export type AdmitDecision = { kind: 'end'; outcome: RunEnd } | { kind: 'claim' };

/**
 * Whether a shard job still belongs to its job: the job is gone, or the job
 * changed its shard count since the shard job was queued (a resize), or not.
 */
export function admitRun(
  job: { shard: number; epoch?: number },
  layout: { shards: number; epoch?: number } | null,
): AdmitDecision {
  if (!layout) return { kind: 'end', outcome: 'job-finished' };
  if ((job.epoch ?? 0) !== (layout.epoch ?? 0) || job.shard >= layout.shards)
    return { kind: 'end', outcome: 'superseded' };
  return { kind: 'claim' };
}

/** Where a claimed run starts from. */
export interface StartPlan {
  /** An earlier run of the shard at this shard count was lost (its worker died or stopped). */
  resumed: boolean;
  /** A fresh shard, its snapshot, or its snapshot taken at a barrier it had not passed. */
  from: 'fresh' | 'snapshot' | 'at-barrier';
  /** The run resumed from the snapshot it took for a resize: it stops again at once (-1: no). */
  stopAgainAt: number;
}

/**
 * Plans the start of a run from its claim (token, token base, resize stop)
 * and, if the claim carried a snapshot, the window it was taken after.
 */
export function planStart(
  claim: { token: string; t0: number; stopAt: number },
  snapshot: { window: number; atBarrier: boolean } | null,
): StartPlan {
  const resumed = Number(claim.token) !== claim.t0 + 1;
  if (!snapshot) return { resumed, from: 'fresh', stopAgainAt: -1 };
  if (snapshot.atBarrier) return { resumed, from: 'at-barrier', stopAgainAt: -1 };
  const again = claim.stopAt >= 0 && snapshot.window - 1 === claim.stopAt ? claim.stopAt : -1;
  return { resumed, from: 'snapshot', stopAgainAt: again };
}

/** What a run remembers between windows. */
export interface WindowState {
  /** When the last progress event was appended (ms, -Infinity: never). */
  lastEventMs: number;
  /** Window counts of the checkpoints this run wrote and keeps. */
  checkpoints: readonly number[];
}

/** A run's {@link WindowState} before its first window. */
export const WINDOW_STATE_START: WindowState = { lastEventMs: -Infinity, checkpoints: [] };

/** What happened in a window, as the run sees it after the window's barrier. */
export interface WindowInput {
  window: number;
  allDone: boolean;
  nowMs: number;
  /** The window after which every shard stops for a resize, as of this barrier (-1: none). */
  stopAt: number;
  /** The worker is stopping (SIGTERM). */
  stopRequested: boolean;
  snapshotEveryWindows: number;
  /** Least time between two progress events. */
  progressEveryMs: number;
  shard: number;
}

/**
 * One thing to do after a window, in order; each store write's reply goes
 * through {@link replyEnd}. A snapshot that ends the run is `awaited`; the
 * periodic one is sent and the shard runs on (its reply is looked at per
 * `snapshot-write.protocol.ts`).
 */
export type WindowStep =
  | { kind: 'progress' }
  | { kind: 'checkpoint'; windowsDone: number; drop: string[] }
  | { kind: 'snapshot'; awaited: boolean }
  | { kind: 'stop-for-resize'; stopAt: number }
  | { kind: 'interrupt'; window: number }
  | { kind: 'finish' };

/**
 * The steps after a window's barrier: a progress event (at most every
 * `progressEveryMs`, and for the last window), a checkpoint at the
 * checkpoint windows, a snapshot every `snapshotEveryWindows` windows, and
 * the run's end when every shard is done, a resize stops the job here, or
 * the worker is stopping.
 */
export function afterWindow(state: WindowState, input: WindowInput): { state: WindowState; steps: WindowStep[] } {
  const steps: WindowStep[] = [];
  let { lastEventMs, checkpoints } = state;
  if (input.allDone || input.nowMs - lastEventMs >= input.progressEveryMs) {
    lastEventMs = input.nowMs;
    steps.push({ kind: 'progress' });
  }
  if (input.allDone) return { state: { lastEventMs, checkpoints }, steps: [...steps, { kind: 'finish' }] };
  const windowsDone = input.window + 1;
  if (isCheckpointWindow(windowsDone, input.snapshotEveryWindows)) {
    const kept = [...checkpoints, windowsDone];
    const drop = kept.splice(0, Math.max(0, kept.length - CHECKPOINTS_KEPT));
    checkpoints = kept;
    steps.push({ kind: 'checkpoint', windowsDone, drop: drop.map((w) => checkpointField(w, input.shard)) });
  }
  // The run's last snapshot is awaited: the stop (or the next run) needs it in place.
  if (input.stopAt === input.window) {
    steps.push({ kind: 'snapshot', awaited: true }, { kind: 'stop-for-resize', stopAt: input.window });
  } else if (input.stopRequested) {
    steps.push({ kind: 'snapshot', awaited: true }, { kind: 'interrupt', window: input.window });
  } else if (windowsDone % input.snapshotEveryWindows === 0) steps.push({ kind: 'snapshot', awaited: false });
  return { state: { lastEventMs, checkpoints }, steps };
}

/** The end a store write's reply decides, or null to go on. */
export function replyEnd(status: BarrierStatus): RunEnd | null {
  if (status === 'finished') return 'job-finished';
  if (status === 'superseded') return 'superseded';
  return null;
}

/**
 * The end a progress event's reply decides: only a fenced run stops there
 * (a finished job is noticed by the run's next fenced write).
 */
export function progressEnd(reply: 'appended' | 'finished' | 'superseded'): RunEnd | null {
  return reply === 'superseded' ? 'superseded' : null;
}

/** What storing the shard's partial result decided. */
export type CompleteDecision = { kind: 'end'; outcome: RunEnd } | { kind: 'completed'; finalize: boolean };

/** The run's end from the reply of storing its partial result: the last shard to finish builds the report. */
export function afterComplete(reply: number | BarrierStatus, shards: number): CompleteDecision {
  if (typeof reply !== 'number') return { kind: 'end', outcome: replyEnd(reply) ?? 'superseded' };
  return { kind: 'completed', finalize: reply === shards };
}

/**
 * Whether a completed run may let its queue job end, from what the store
 * still holds after the run's last writes (`completionKept`): a store
 * restart (AOF keeps a prefix of the last second's writes) may have lost
 * the partial result, or the report this run built; if the queue job ended
 * anyway, no run would be left to redo them and the job would hang (sim
 * seeds 241, 1024). Then the shard is handed back and runs again. Checked
 * after the writes it guards: a restart after the check that loses them
 * also loses the queue job's end, which comes later.
 */
export function afterCompletionCheck(kept: CompletionKept, finalized: boolean): 'completed' | 'hand-back' {
  if (kept.finished) return 'completed';
  return kept.partial && !finalized ? 'completed' : 'hand-back';
}

/** What counting a run as stopped for a resize decided. */
export type ResizeStopDecision =
  { kind: 'end'; outcome: RunEnd } | { kind: 'recheck' } | { kind: 'resized'; commit: boolean };

/**
 * The run's end once it stopped for a resize: the last shard to stop
 * commits the resize. No stop under way (`none`): the run was overtaken
 * (another run committed the resize between this run's claim and its stop)
 * or the store lost the stop; look at the job again ({@link afterRecheck}).
 */
export function afterResizeStop(reply: ResizeStopReply, shards: number): ResizeStopDecision {
  if (reply === 'finished') return { kind: 'end', outcome: 'job-finished' };
  if (reply === 'superseded') return { kind: 'end', outcome: 'superseded' };
  if (reply === 'none') return { kind: 'recheck' };
  return { kind: 'resized', commit: reply === shards };
}

/**
 * After a stop that found no resize under way: a run of a job that moved
 * on (a new epoch) or ended ends; otherwise (the store lost the stop in a
 * restart) it hands its shard back to the queue, and the next run resumes
 * from the snapshot it just stored and goes on.
 */
export function afterRecheck(again: AdmitDecision): { kind: 'end'; outcome: RunEnd } | { kind: 'interrupt' } {
  return again.kind === 'end' ? again : { kind: 'interrupt' };
}

/**
 * What a run that a store write called superseded does (fenced off: a later
 * claim holds the shard, or the store forgot this run's claim in a
 * restart), given the job as it is now ({@link admitRun} of the run's shard
 * and epoch): a job that ended or moved to another layout ends the run;
 * otherwise the run hands its shard back to the queue. Even when a later
 * claim holds the shard, that claim may come from a run that holds no
 * queue job: one frozen past its lock (the stalled check gave its shard
 * job to this run) that thawed and claimed again. Ending here would remove
 * the shard's only queue job, and if that run then stopped or died the
 * shard would be left to nobody (seed 549). A hand-back is refused by the
 * queue when this run is the one that lost its lock, so it costs one
 * resume at most.
 */
export function afterSuperseded(now: AdmitDecision): { kind: 'end'; outcome: RunEnd } | { kind: 'hand-back' } {
  return now.kind === 'end' ? now : { kind: 'hand-back' };
}

/**
 * What a run that hit an error (not one of the protocol's ends) does with
 * it: fail the job, unless a later claim fenced the run off meanwhile (the
 * shard's latest token is above the run's): then the shard and the job's
 * fate belong to the run that holds it now, and this one is superseded
 * ({@link afterSuperseded}) without a word. A run whose claim a store
 * restart forgot (latest below its own) still fails the job: nobody else
 * speaks for it.
 */
export function afterRunError(runToken: string, latestToken: number): 'superseded' | 'fail' {
  return latestToken > Number(runToken) ? 'superseded' : 'fail';
}

/**
 * Store errors that say the connection went away in the middle of a
 * command (a Redis restart, a cluster failover: ioredis aborts what was in
 * flight, a blocking read among them), not that a command was refused.
 */
/**
 * What a store error says when a write of the run was lost in a failover
 * although its connection stayed up (the snapshot's staging copy gone when
 * its rename ran): like a lost connection, the run cannot trust its writes.
 */
export const SNAPSHOT_WRITE_LOST = 'a write lost in a failover';

const CONNECTION_LOSS = new RegExp(
  [
    'Command aborted due to connection close',
    'Connection is closed',
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'CLUSTERDOWN',
    'TRYAGAIN',
    'LOADING',
    'READONLY',
    SNAPSHOT_WRITE_LOST,
  ].join('|'),
);

/**
 * What a run does with a store error before anything else: after a lost
 * connection it cannot know whether its last write landed, so it hands the
 * shard back and the next claim resumes from the latest snapshot (fencing
 * and duplicate drops make that safe), rather than failing the job for a
 * failover the store survives; any other error goes on to
 * {@link afterRunError}.
 */
export function afterStoreError(message: string): 'hand-back' | 'judge' {
  return CONNECTION_LOSS.test(message) ? 'hand-back' : 'judge';
}
