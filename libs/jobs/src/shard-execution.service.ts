import { runShard, seriesFieldsOf } from '@tlbsim/engine';
import { ShardSim } from '@tlbsim/sim-core';
import { BarrierLeftError } from './barrier-left.error';
import { checkpointField, CHECKPOINTS_KEPT, isCheckpointWindow } from './checkpoint.schedule';
import { dedupeInbound } from './batch.codec';
import { EventStreamRepository, NewJobEvent } from './event-stream.repository';
import { JobFinalizerService, ShardOutcome } from './job-finalizer.service';
import { JobFinishedError } from './job-finished.error';
import { JobResizeService } from './job-resize.service';
import { JobMeta, JobRepository } from './job.repository';
import { PROGRESS_EVERY_MS } from './jobs.constants';
import { TlbRedis } from './redis.client';
import { emptyTransportStats, RedisTransport, TransportStats } from './redis.transport';
import { ShardExchangeRepository } from './shard-exchange.repository';
import { ShardClaim } from './shard.store';
import { ShardInterruptedError } from './shard-interrupted.error';
import { ShardJobData } from './shard-queue.repository';
import { decodeSnapshot, encodeSnapshot, StoredSnapshot } from './shard-snapshot.codec';
import { ShardSupersededError } from './shard-superseded.error';

/** Thrown out of a shard's window loop once it snapshotted for a resize. */
class StopForResize extends Error {
  constructor(readonly window: number) {
    super(`stopped for a resize after window ${window}`);
  }
}

/** Where a shard run starts: its kernel state, the first window's inbound, the transport counts. */
interface ShardStart {
  sim: ShardSim;
  inbound: Float64Array[];
  stats: TransportStats;
  atBarrier: boolean;
}

/** How a shard run ended. */
export type ShardRunOutcome = 'completed' | 'job-finished' | 'superseded' | 'resized';

/** Per-run options. */
export interface ShardRunOptions {
  /** Worker id, recorded in events. */
  workerId: string;
  /** Polled after every window; true makes the shard snapshot and stop ({@link ShardInterruptedError}). */
  shouldStop?: () => boolean;
  /** A connection of its own (barrier waits block it); the caller closes it. */
  connection: TlbRedis;
  /** Waiting at a barrier with no progress from the shards waited for this long fails the job (`BarrierTimeoutError`). @defaultValue BARRIER_TIMEOUT_MS */
  barrierTimeoutMs?: number;
}

/** Counters of a shard carried by `window-completed` events. */
function progressFields(s: ShardSim): Partial<NewJobEvent> {
  return seriesFieldsOf((slot) => s.counter(slot));
}

/**
 * Runs one shard of a job on a worker: fresh, or resumed from its last
 * snapshot plus the inbound batches stored since; snapshots every
 * `run.snapshotEveryWindows` windows; reports progress; stores its partial
 * result and, as the last shard to finish, builds the job's report.
 */
export class ShardExecutionService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly events: EventStreamRepository,
    private readonly finalizer: JobFinalizerService,
    private readonly resizer: JobResizeService,
  ) {}

  /** Runs the shard to the end of the job (or until the job ends elsewhere). */
  async run(data: ShardJobData, opts: ShardRunOptions): Promise<ShardRunOutcome> {
    const [meta] = await this.jobs.metas([data.jobId]);
    if (!meta) return 'job-finished';
    // A shard job of the shard count before a resize: the job went on without it.
    if ((data.epoch ?? 0) !== (meta.epoch ?? 0) || data.shard >= meta.shards) return 'superseded';
    const repo = new ShardExchangeRepository(opts.connection, this.jobs.keys(meta.id), data.shard, meta.shards);
    const claim = await repo.claim();
    if (!claim) return 'job-finished';
    try {
      return await this.execute(meta, data.shard, repo, claim, opts);
    } catch (error) {
      if (error instanceof JobFinishedError) return 'job-finished';
      if (error instanceof ShardSupersededError) return 'superseded';
      if (error instanceof ShardInterruptedError) throw error;
      const text = error instanceof Error ? error.message : String(error);
      await this.events.append(meta.id, {
        type: 'shard-failed',
        shard: data.shard,
        worker: opts.workerId,
        error: text,
      });
      await this.finalizer.fail(meta, `shard ${data.shard}: ${text}`);
      throw error;
    }
  }

  private async execute(
    meta: JobMeta,
    shard: number,
    repo: ShardExchangeRepository,
    claim: ShardClaim,
    opts: ShardRunOptions,
  ): Promise<ShardRunOutcome> {
    const cfg = meta.config;
    const token = claim.token;
    const start = await this.start(meta, shard, repo, claim, opts.workerId);
    // Resumed from the snapshot it took for a resize (its run died before the switch): stop again.
    if (claim.stopAt >= 0 && !start.atBarrier && start.sim.window - 1 === claim.stopAt)
      return this.stopForResize(meta, shard, token, claim.stopAt);
    const transport = new RedisTransport(repo, {
      jobId: meta.id,
      token,
      stats: start.stats,
      shouldStop: opts.shouldStop,
      barrierTimeoutMs: opts.barrierTimeoutMs,
    });
    let lastEvent = 0;
    const checkpoints: number[] = [];
    const onWindow = async (s: ShardSim, window: number, allDone: boolean): Promise<void> => {
      const now = Date.now();
      if (allDone || now - lastEvent >= PROGRESS_EVERY_MS) {
        lastEvent = now;
        const appended = await this.events.appendFenced(meta.id, shard, token, {
          type: 'window-completed',
          shard,
          window,
          worker: opts.workerId,
          ...progressFields(s),
        });
        if (appended === 'superseded') throw new ShardSupersededError(meta.id, shard);
      }
      if (allDone) return;
      if (isCheckpointWindow(window + 1, cfg.run.snapshotEveryWindows))
        await this.checkpoint(s, window + 1, repo, checkpoints, meta.id);
      if (transport.stopAt === window) {
        await this.snapshot(s, transport, repo, token, meta.id, false);
        throw new StopForResize(window);
      }
      const stop = opts.shouldStop?.() ?? false;
      if (stop || (window + 1) % cfg.run.snapshotEveryWindows === 0)
        await this.snapshot(s, transport, repo, token, meta.id, false);
      if (stop) throw new ShardInterruptedError(meta.id, shard, window);
    };
    const pendingBarrier = start.atBarrier ? () => transport.awaitBarrier(shard, start.sim.window - 1) : undefined;
    const res = await runShard(start.sim, transport, { onWindow, inbound: start.inbound, pendingBarrier }).catch(
      async (error: unknown) => {
        if (error instanceof StopForResize) return error;
        if (!(error instanceof BarrierLeftError)) throw error;
        // Snapshot at the window we are in and leave; the resumed run waits for this barrier.
        await this.snapshot(start.sim, transport, repo, token, meta.id, true);
        throw new ShardInterruptedError(meta.id, shard, error.window);
      },
    );
    if (res instanceof StopForResize) return this.stopForResize(meta, shard, token, res.window);
    const outcome: ShardOutcome = { partial: res.partial, windows: res.windows, stats: transport.stats };
    const finished = await repo.complete(JSON.stringify(outcome), token);
    if (finished === 'finished') return 'job-finished';
    if (finished === 'superseded') return 'superseded';
    await this.events.append(meta.id, { type: 'shard-completed', shard, window: res.windows, worker: opts.workerId });
    if (finished === meta.shards) await this.finalizer.complete(meta);
    return 'completed';
  }

  /**
   * Counts this shard as stopped for the resize after window `stopAt`; the
   * last shard to stop re-partitions the job and switches it to the new shard count.
   */
  private async stopForResize(meta: JobMeta, shard: number, token: string, stopAt: number): Promise<ShardRunOutcome> {
    const stopped = await this.resizer.stopped(meta, shard, token, stopAt);
    if (stopped === 'finished') return 'job-finished';
    if (stopped === 'superseded') return 'superseded';
    if (stopped === 'none')
      throw new Error(`shard ${shard} stopped for a resize after window ${stopAt}, but none is under way`);
    if (stopped === meta.shards) {
      const r = await this.resizer.commit(meta);
      if (r === 'finished') return 'job-finished';
    }
    return 'resized';
  }

  /** A fresh shard, or the shard restored from its snapshot with the batches delivered after it. */
  private async start(
    meta: JobMeta,
    shard: number,
    repo: ShardExchangeRepository,
    claim: ShardClaim,
    worker: string,
  ): Promise<ShardStart> {
    const { token, snapshot: snap } = claim;
    const resumed = Number(token) !== claim.t0 + 1;
    if (resumed)
      await this.events.append(meta.id, {
        type: 'shard-failed',
        shard,
        worker,
        error: 'previous run of the shard was lost (worker died or stopped); resuming',
      });
    if (!snap) {
      await this.events.append(meta.id, {
        type: resumed ? 'shard-resumed' : 'shard-started',
        shard,
        worker,
        window: 0,
      });
      return {
        sim: new ShardSim(meta.config, shard, meta.shards),
        inbound: [],
        stats: emptyTransportStats(),
        atBarrier: false,
      };
    }
    const stored = decodeSnapshot(snap);
    const sim = ShardSim.restore(meta.config, stored.sim);
    await this.events.append(meta.id, { type: 'shard-resumed', shard, worker, window: sim.window });
    if (stored.atBarrier) return { sim, inbound: [], stats: stored.stats, atBarrier: true };
    // Already counted as received before the snapshot: only dedupe here.
    const inbound = dedupeInbound(await repo.inboundOf(sim.window - 1));
    const stats = { ...stored.stats, duplicatesDropped: stored.stats.duplicatesDropped + inbound.duplicates };
    return { sim, inbound: inbound.batches, stats, atBarrier: false };
  }

  /** Records the shard's counters and witnesses after `windowsDone` windows (for a partial report), keeping the last few. */
  private async checkpoint(
    s: ShardSim,
    windowsDone: number,
    repo: ShardExchangeRepository,
    kept: number[],
    jobId: string,
  ): Promise<void> {
    kept.push(windowsDone);
    const drop = kept.splice(0, Math.max(0, kept.length - CHECKPOINTS_KEPT)).map((w) => checkpointField(w, s.shard));
    const status = await repo.saveCheckpoint(windowsDone, JSON.stringify(s.partial()), drop);
    if (status === 'finished') throw new JobFinishedError(jobId);
  }

  private async snapshot(
    s: ShardSim,
    transport: RedisTransport,
    repo: ShardExchangeRepository,
    token: string,
    jobId: string,
    atBarrier: boolean,
  ): Promise<void> {
    const stored: StoredSnapshot = { sim: s.snapshot(), stats: { ...transport.stats }, atBarrier };
    // Keep the batches of the window just exchanged: they are the resumed shard's first inbound.
    const status = await repo.saveSnapshot(encodeSnapshot(stored), s.window - 1, token);
    if (status === 'finished') throw new JobFinishedError(jobId);
    if (status === 'superseded') throw new ShardSupersededError(jobId, s.shard);
  }
}
