import { runShard, seriesFieldsOf } from '@tlbsim/engine';
import { ShardSim, shardNeighboursOf } from '@tlbsim/sim-core';
import { BarrierLeftError } from './barrier-left.error';
import { dedupeInbound } from './batch.codec';
import { NewJobEvent } from './event-stream.repository';
import { JobFinishedError } from './job-finished.error';
import { ShardOutcome } from './job-finalizer.service';
import { JobMeta } from './job.repository';
import { PROGRESS_EVERY_MS } from './jobs.constants';
import {
  admitRun,
  afterComplete,
  afterCompletionCheck,
  afterRecheck,
  afterRunError,
  afterStoreError,
  afterResizeStop,
  afterSuperseded,
  afterWindow,
  planStart,
  progressEnd,
  replyEnd,
  RunEnd,
  ShardRunOutcome,
  WINDOW_STATE_START,
  WindowState,
  WindowStep,
} from './protocol/shard-run.protocol';
import { emptyTransportStats, RedisTransport, TransportStats } from './redis.transport';
import { ShardInterruptedError } from './shard-interrupted.error';
import { ShardJobData } from './shard-queue.repository';
import { decodeSnapshot, StoredSnapshot } from './shard-snapshot.codec';
import { sendSegment, SnapshotChain, tagOfToken } from './snapshot-chain';
import { ShardSupersededError } from './shard-superseded.error';
import { ShardClaim, ShardExchangeStore, ShardStore } from './shard.store';
import { ShardRunPorts } from './shard-run.ports';
import { SnapshotWriteTracker } from './snapshot-write.tracker';
import { TlbRedis } from './redis.client';

/** Unwinds a shard's window loop (inside `runShard`) with the run's end. */
class RunEnded extends Error {
  constructor(readonly outcome: RunEnd | { resizeAt: number } | { interruptAt: number }) {
    super('shard run ended');
  }
}

/** An error's message, as the store's client words it. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a shard run starts: its kernel state, the first window's inbound, the transport counts. */
interface ShardStart {
  sim: ShardSim;
  inbound: Float64Array[];
  stats: TransportStats;
  atBarrier: boolean;
}

/** Per-run options. */
export interface ShardRunOptions {
  /** Worker id, recorded in events. */
  workerId: string;
  /** Polled after every window; true makes the shard snapshot and stop ({@link ShardInterruptedError}). */
  shouldStop?: () => boolean;
  /** A Redis connection of the run's own (barrier waits block it), for the job's Redis store; the caller closes it. */
  connection?: TlbRedis;
  /** The job's store for this run (the simulator's). @defaultValue the Redis store on `connection` */
  store?: ShardStore;
  /** Waiting at a barrier with no progress from the shards waited for this long fails the job (`BarrierTimeoutError`). @defaultValue BARRIER_TIMEOUT_MS */
  barrierTimeoutMs?: number;
}

/** One run as the driver holds it. */
interface Run {
  meta: JobMeta;
  shard: number;
  x: ShardExchangeStore;
  token: string;
  opts: ShardRunOptions;
  /** This run's incremental snapshots (a resumed run starts a chain of its own). */
  chain: SnapshotChain;
}

/**
 * Runs one shard of a job on a worker: fresh, or resumed from its last
 * snapshot plus the inbound batches stored since; snapshots every
 * `run.snapshotEveryWindows` windows; reports progress; stores its partial
 * result and, as the last shard to finish, builds the job's report. A thin
 * driver: what to do is decided by the pure transitions of
 * `protocol/shard-run.protocol.ts`; it performs their steps on a
 * {@link ShardStore} and the {@link ShardRunPorts}.
 */
export class ShardExecutionService {
  constructor(private readonly ports: ShardRunPorts) {}

  /** Runs the shard to the end of the job (or until the job ends elsewhere). */
  async run(data: ShardJobData, opts: ShardRunOptions): Promise<ShardRunOutcome> {
    const meta = await this.unclaimed(data, () => this.ports.meta(data.jobId));
    const admit = admitRun(data, meta);
    if (admit.kind === 'end') return admit.outcome;
    if (!opts.store && !opts.connection) throw new Error('a shard run needs a store or a connection');
    const store = opts.store ?? this.ports.storeOn(opts.connection!, meta!);
    const x = store.exchange(data.shard, meta!.shards);
    const claim = await this.unclaimed(data, () => x.claim());
    if (!claim) return 'job-finished';
    // A resize may have committed between the metadata read and the claim (a run frozen in between, seed
    // 4961): the claim's snapshot is then the new layout's, which this run cannot restore. It ends.
    const again = admitRun(data, await this.unclaimed(data, () => this.ports.meta(data.jobId)));
    if (again.kind === 'end') return again.outcome;
    const run: Run = {
      meta: meta!,
      shard: data.shard,
      x,
      token: claim.token,
      opts,
      chain: new SnapshotChain(tagOfToken(claim.token), meta!.config.run.snapshots === 'incremental'),
    };
    try {
      const outcome = await this.execute(run, claim);
      return outcome === 'superseded' ? await this.superseded(run) : outcome;
    } catch (error) {
      if (error instanceof JobFinishedError) return 'job-finished';
      if (error instanceof ShardSupersededError) return this.superseded(run);
      if (error instanceof ShardInterruptedError) throw error;
      const text = messageOf(error);
      if (afterStoreError(text) === 'hand-back') throw new ShardInterruptedError(run.meta.id, data.shard, -1);
      if ((await this.fencedOff(run)) === 'superseded') return await this.superseded(run);
      await this.ports.append(run.meta.id, {
        type: 'shard-failed',
        shard: data.shard,
        worker: opts.workerId,
        error: text,
      });
      await this.ports.fail(run.meta, `shard ${data.shard}: ${text}`);
      throw error;
    }
  }

  /**
   * A store call before the run holds a claim: a lost connection hands the
   * shard back (there is nothing to fence or fail yet; a claim that landed
   * unheard is superseded by the next one), any other error stands.
   */
  private async unclaimed<T>(data: ShardJobData, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (afterStoreError(messageOf(error)) === 'hand-back')
        throw new ShardInterruptedError(data.jobId, data.shard, -1);
      throw error;
    }
  }

  /**
   * Whether a run that hit an error was fenced off meanwhile (then it must
   * not fail the job through the unfenced fail port). If the store cannot
   * say, the run fails the job as before: its error stands.
   */
  private async fencedOff(run: Run): Promise<'superseded' | 'fail'> {
    const latest = await run.x.latestToken().catch(() => null);
    return latest === null ? 'fail' : afterRunError(run.token, latest);
  }

  /**
   * A run told it is superseded: ends if the job ended or moved to another
   * layout, else hands the shard back to the queue (the run that fenced it
   * may hold no queue job). A job the store cannot read now: handed back too.
   */
  private async superseded(run: Run): Promise<ShardRunOutcome> {
    const layout = await this.ports.meta(run.meta.id).catch(() => undefined);
    const now =
      layout === undefined
        ? ({ kind: 'claim' } as const)
        : admitRun({ shard: run.shard, epoch: run.meta.epoch }, layout);
    const next = afterSuperseded(now);
    if (next.kind === 'end') return next.outcome;
    throw new ShardInterruptedError(run.meta.id, run.shard, -1);
  }

  private async execute(run: Run, claim: ShardClaim): Promise<ShardRunOutcome> {
    const { meta, shard, opts } = run;
    const start = await this.start(run, claim);
    if (start.stopAgainAt >= 0) return this.stopForResize(run, start.stopAgainAt);
    const transport = new RedisTransport(run.x, {
      jobId: meta.id,
      token: run.token,
      stats: start.stats,
      shouldStop: opts.shouldStop,
      barrierTimeoutMs: opts.barrierTimeoutMs,
      now: this.ports.barrierNow,
      neighbours: shardNeighboursOf(meta.config, meta.shards),
      snapshotEveryWindows: meta.config.run.snapshotEveryWindows,
    });
    const writes = new SnapshotWriteTracker();
    let state: WindowState = WINDOW_STATE_START;
    const onWindow = async (s: ShardSim, window: number, allDone: boolean): Promise<void> => {
      // The periodic snapshot's reply, if it came: it may end the run here, a few windows late.
      const late = await writes.check('window');
      if (late) throw new RunEnded(late);
      const next = afterWindow(state, {
        window,
        allDone,
        nowMs: this.ports.now(),
        stopAt: transport.stopAt,
        stopRequested: opts.shouldStop?.() ?? false,
        snapshotEveryWindows: meta.config.run.snapshotEveryWindows,
        progressEveryMs: PROGRESS_EVERY_MS,
        shard,
      });
      state = next.state;
      for (const step of next.steps) await this.perform(run, step, s, window, transport, writes);
    };
    const pendingBarrier = start.atBarrier ? () => transport.awaitBarrier(shard, start.sim.window - 1) : undefined;
    const res = await runShard(start.sim, transport, { onWindow, inbound: start.inbound, pendingBarrier }).then(
      // Whatever ends the run, the pending snapshot's reply comes first: it was sent first, and an awaited
      // write's reply (or error) would have ended the run before it got here.
      async (done) => (await writes.check('end')) ?? done,
      async (error: unknown) => {
        const first = await writes.check('end');
        if (first) return first;
        if (error instanceof RunEnded) return error.outcome;
        if (!(error instanceof BarrierLeftError)) throw error;
        // Snapshot at the window we are in and leave; the resumed run waits for this barrier.
        const end = await this.snapshot(run, start.sim, transport, { atBarrier: true, awaited: true }, writes);
        return end ?? { interruptAt: error.window };
      },
    );
    if (typeof res === 'string') return res;
    if ('resizeAt' in res) return this.stopForResize(run, res.resizeAt);
    if ('interruptAt' in res) throw new ShardInterruptedError(meta.id, shard, res.interruptAt);
    return this.complete(run, { partial: res.partial, windows: res.windows, stats: transport.stats });
  }

  /** Performs one step after a window; a step that ends the run unwinds the window loop. */
  private async perform(
    run: Run,
    step: WindowStep,
    s: ShardSim,
    window: number,
    t: RedisTransport,
    writes: SnapshotWriteTracker,
  ): Promise<void> {
    let end: RunEnd | null = null;
    if (step.kind === 'progress') {
      const event: NewJobEvent = {
        type: 'window-completed',
        shard: run.shard,
        window,
        worker: run.opts.workerId,
        ...seriesFieldsOf((slot) => s.counter(slot)),
      };
      end = progressEnd(await run.x.appendProgress(this.encode(event), run.token));
    } else if (step.kind === 'checkpoint') {
      end = replyEnd(await run.x.saveCheckpoint(step.windowsDone, JSON.stringify(s.partial()), step.drop));
    } else if (step.kind === 'snapshot')
      end = await this.snapshot(run, s, t, { atBarrier: false, awaited: step.awaited }, writes);
    else if (step.kind === 'stop-for-resize') throw new RunEnded({ resizeAt: step.stopAt });
    else if (step.kind === 'interrupt') throw new RunEnded({ interruptAt: step.window });
    if (end) throw new RunEnded(end);
  }

  /** Stores the partial result; the last shard to finish builds the report. */
  private async complete(run: Run, outcome: ShardOutcome): Promise<ShardRunOutcome> {
    const decision = afterComplete(await run.x.complete(JSON.stringify(outcome), run.token), run.meta.shards);
    if (decision.kind === 'end') return decision.outcome;
    await this.ports.append(run.meta.id, {
      type: 'shard-completed',
      shard: run.shard,
      window: outcome.windows,
      worker: run.opts.workerId,
    });
    if (decision.finalize) await this.ports.complete(run.meta);
    // The queue job ends after this: not if a store restart lost what the run wrote (afterCompletionCheck).
    if (afterCompletionCheck(await run.x.completionKept(), decision.finalize) === 'hand-back')
      throw new ShardInterruptedError(run.meta.id, run.shard, -1);
    return 'completed';
  }

  /**
   * Counts this shard as stopped for the resize after window `stopAt`; the
   * last shard to stop re-partitions the job and switches it to the new shard count.
   */
  private async stopForResize(run: Run, stopAt: number): Promise<ShardRunOutcome> {
    const reply = await run.x.stopForResize(run.token, stopAt);
    const decision = afterResizeStop(reply, run.meta.shards);
    if (decision.kind === 'end') return decision.outcome;
    if (decision.kind === 'recheck') return this.recheck(run, stopAt);
    if (!decision.commit) return 'resized';
    const committed = await this.ports.commitResize(run.meta).catch(async (error: unknown) => {
      // A store restart between this count and the commit's reads may have lost the stop (and a stopped
      // shard's snapshot: seed 5497): then the stop is void, as for a stop that found none under way.
      if ((await run.x.stopForResize(run.token, stopAt)) !== 'none') throw error;
      return 'lost' as const;
    });
    if (committed === 'lost') return this.recheck(run, stopAt);
    return committed === 'finished' ? 'job-finished' : 'resized';
  }

  /** No stop under way after this run's: the job moved on or ended (the run ends), or the store lost it (hand-back). */
  private async recheck(run: Run, stopAt: number): Promise<ShardRunOutcome> {
    const again = afterRecheck(
      admitRun({ shard: run.shard, epoch: run.meta.epoch }, await this.ports.meta(run.meta.id)),
    );
    if (again.kind === 'end') return again.outcome;
    throw new ShardInterruptedError(run.meta.id, run.shard, stopAt);
  }

  /** A fresh shard, or the shard restored from its snapshot with the batches delivered after it. */
  private async start(run: Run, claim: ShardClaim): Promise<ShardStart & { stopAgainAt: number }> {
    const { meta, shard } = run;
    const worker = run.opts.workerId;
    const stored = claim.snapshot ? decodeSnapshot(claim.snapshot) : null;
    const plan = planStart(claim, stored && { window: stored.sim.window, atBarrier: stored.atBarrier ?? false });
    if (plan.resumed)
      await this.announce(run, {
        type: 'shard-failed',
        shard,
        worker,
        error: 'previous run of the shard was lost (worker died or stopped); resuming',
      });
    if (!stored) {
      await this.announce(run, {
        type: plan.resumed ? 'shard-resumed' : 'shard-started',
        shard,
        worker,
        window: 0,
      });
      const sim = new ShardSim(meta.config, shard, meta.shards);
      return { sim, inbound: [], stats: emptyTransportStats(), atBarrier: false, stopAgainAt: -1 };
    }
    const sim = ShardSim.restore(meta.config, stored.sim);
    await this.announce(run, { type: 'shard-resumed', shard, worker, window: sim.window });
    if (plan.from === 'at-barrier') return { sim, inbound: [], stats: stored.stats, atBarrier: true, stopAgainAt: -1 };
    if (plan.stopAgainAt >= 0)
      return { sim, inbound: [], stats: stored.stats, atBarrier: false, stopAgainAt: plan.stopAgainAt };
    // Already counted as received before the snapshot: only dedupe here.
    const inbound = dedupeInbound(await run.x.inboundOf(sim.window - 1));
    const stats = { ...stored.stats, duplicatesDropped: stored.stats.duplicatesDropped + inbound.duplicates };
    return { sim, inbound: inbound.batches, stats, atBarrier: false, stopAgainAt: -1 };
  }

  /**
   * A start event of the run, fenced as its progress is: a run fenced off
   * before it started (its claim's reply held up by a freeze, seed 5497)
   * must not announce a resume behind the shard's progress; it is superseded.
   */
  private async announce(run: Run, event: NewJobEvent): Promise<void> {
    if ((await run.x.appendProgress(this.encode(event), run.token)) === 'superseded')
      throw new ShardSupersededError(run.meta.id, run.shard);
  }

  /**
   * Stores the shard's snapshot, once the previous one's reply is in; the
   * end of the run if the store refused either. One not `awaited` is sent
   * and left to `writes`: the shard runs on (its later writes go out on
   * the same connection, behind it).
   */
  private async snapshot(
    run: Run,
    s: ShardSim,
    t: RedisTransport,
    how: { atBarrier: boolean; awaited: boolean },
    writes: SnapshotWriteTracker,
  ): Promise<RunEnd | null> {
    const before = await writes.check('snapshot');
    if (before) return before;
    // The live arrays, not copies: sendSegment encodes them synchronously, before the shard runs again.
    const stored: StoredSnapshot = {
      sim: s.snapshot({ alias: true }),
      stats: { ...t.stats },
      atBarrier: how.atBarrier,
    };
    // Keep the batches of the window just exchanged: they are the resumed shard's first inbound.
    const write = sendSegment(run.x, run.chain, stored, s.window - 1, run.token, how.awaited);
    if (how.awaited) return replyEnd(await write);
    writes.hold(write);
    return null;
  }

  /** An event as stored, stamped with the ports' clock. */
  private encode(event: NewJobEvent): string {
    return JSON.stringify({ ...event, at: new Date(this.ports.now()).toISOString() });
  }
}
