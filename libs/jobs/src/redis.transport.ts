import { checkOutbound, MSG_WIDTH, ShardNeighbours } from '@tlbsim/sim-core';
import type { ExchangeResult, ShardTransport } from '@tlbsim/engine';
import { BarrierLeftError } from './barrier-left.error';
import { BarrierTimeoutError } from './barrier-timeout.error';
import { dedupeInbound, InboundEntry } from './batch.codec';
import { JobFinishedError } from './job-finished.error';
import { BARRIER_TIMEOUT_MS } from './jobs.constants';
import { barrierNeedOf, publishesAt, ShardLinks, shardLinksOf } from './protocol/barrier-need.protocol';
import { afterProbe, BarrierWatch, probeDue, startWatch } from './protocol/barrier-watch.protocol';
import { BarrierNeed, BarrierReply, ShardExchangeStore } from './shard.store';
import { ShardSupersededError } from './shard-superseded.error';

/**
 * Message accounting of one shard. Part of the shard's snapshot, so a
 * resumed shard continues the counts of the windows it does not re-run and
 * the job's totals stay exact: sent == received iff nothing was lost or
 * applied twice.
 */
export interface TransportStats {
  messagesSent: number;
  messagesReceived: number;
  duplicatesDropped: number;
  redisRoundTrips: number;
  barrierWaitMs: number;
}

/** A zeroed {@link TransportStats}. */
export function emptyTransportStats(): TransportStats {
  return { messagesSent: 0, messagesReceived: 0, duplicatesDropped: 0, redisRoundTrips: 0, barrierWaitMs: 0 };
}

/** Options of {@link RedisTransport}. */
export interface RedisTransportOptions {
  jobId: string;
  /** The fencing token of this run of the shard. */
  token: string;
  /** Longest single XREAD BLOCK; between two, the transport re-checks for cancellation. @defaultValue 500 */
  blockMs?: number;
  /** Counts carried over from the snapshot a shard resumed from. */
  stats?: TransportStats;
  /** Polled between two barrier waits; true makes the shard leave the barrier ({@link BarrierLeftError}). */
  shouldStop?: () => boolean;
  /** Waiting at a barrier with no progress from the shards waited for this long fails ({@link BarrierTimeoutError}). @defaultValue BARRIER_TIMEOUT_MS */
  barrierTimeoutMs?: number;
  /** The ms clock of barrier waits and timeouts (the protocol simulator's is virtual). @defaultValue performance.now */
  now?: () => number;
  /**
   * Who can send to whom (sim-core `shardNeighboursOf`): a shard then waits
   * only for its in-neighbours, and for every shard where the job decides
   * something (protocol/barrier-need.protocol.ts). @defaultValue every shard at every window
   */
  neighbours?: ShardNeighbours;
  /** The job's `run.snapshotEveryWindows` (its checkpoint windows wait for every shard). @defaultValue 512 */
  snapshotEveryWindows?: number;
}

/**
 * The distributed {@link ShardTransport}: a window's outbound batches go to
 * one Redis stream per destination shard (one entry per window and sender);
 * a shard then waits only for the shards that can send to it (its ready
 * stream), or for every shard (the barrier stream) where the job decides
 * something. The publish and the blocking read go in one pipeline: one
 * round trip per window unless a wait outlasts `blockMs`. A shard that shares
 * no host with another publishes only at the windows `publishesAt` names
 * (sync, checkpoint, done), and no round trip at all in between.
 */
export class RedisTransport implements ShardTransport {
  readonly stats: TransportStats;
  /** The window after which every shard stops for a resize, as of the last barrier (-1: none). */
  stopAt = -1;
  private readonly blockMs: number;
  private readonly barrierTimeoutMs: number;
  private readonly now: () => number;
  private links: ShardLinks | undefined;

  constructor(
    private readonly repo: ShardExchangeStore,
    private readonly opts: RedisTransportOptions,
  ) {
    this.stats = { ...(opts.stats ?? emptyTransportStats()) };
    this.blockMs = opts.blockMs ?? 500;
    this.barrierTimeoutMs = opts.barrierTimeoutMs ?? BARRIER_TIMEOUT_MS;
    this.now = opts.now ?? (() => performance.now());
  }

  async exchange(
    shard: number,
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
  ): Promise<ExchangeResult> {
    for (const batch of outbound.values()) this.stats.messagesSent += batch.length / MSG_WIDTH;
    if (this.opts.neighbours) checkOutbound(this.opts.neighbours, shard, outbound);
    // A shard that shares no host runs on without Redis between the windows it must publish (it sends and
    // receives nothing; checkOutbound above holds it to that); its next publish covers these windows.
    if (!publishesAt(this.linksOf(shard), window, done, this.snapshotEveryWindows))
      return { inbound: [], allDone: false };
    const need = this.needOf(shard, window, done);
    const trips = this.repo.roundTrips;
    // The wait is pipelined behind the publish: it counts from the publish (its round trip included),
    // except for a shard that waits for no one here, whose round trip is the publish's alone.
    const start = need.all || need.from.length > 0 ? this.now() : null;
    const reply = await this.repo.publish(window, outbound, done, this.opts.token, need, this.blockMs);
    return this.settle(reply, shard, window, trips, need, start ?? this.now());
  }

  /**
   * Waits for a window this shard published before (a shard resumed at its
   * barrier), for every shard: whether it was done then is not known here.
   */
  async awaitBarrier(shard: number, window: number): Promise<ExchangeResult> {
    return this.settle(
      { status: 'waiting', allDone: false, fresh: false, entries: [], stopAt: -1 },
      shard,
      window,
      this.repo.roundTrips,
      this.needOf(shard, window, true),
      this.now(),
    );
  }

  private get snapshotEveryWindows(): number {
    return this.opts.snapshotEveryWindows ?? 512;
  }

  private linksOf(shard: number): ShardLinks | undefined {
    const n = this.opts.neighbours;
    if (n && !this.links) this.links = shardLinksOf(n, shard, this.snapshotEveryWindows);
    return this.links;
  }

  private needOf(shard: number, window: number, done: boolean): BarrierNeed {
    return barrierNeedOf(this.linksOf(shard), window, done, this.snapshotEveryWindows);
  }

  /**
   * Waits until the barrier of `window` passes. A stopping worker leaves
   * instead: the other shards may be stopping too, before this window. No
   * progress from the shards waited for within the barrier timeout fails
   * ({@link BarrierTimeoutError}).
   */
  private async settle(
    first: BarrierReply,
    shard: number,
    window: number,
    trips: number,
    need: BarrierNeed,
    waitStart: number,
  ): Promise<ExchangeResult> {
    let reply = first;
    let watch = startWatch(waitStart);
    while (reply.status === 'waiting') {
      if (this.opts.shouldStop?.()) throw new BarrierLeftError(this.opts.jobId, shard, window);
      reply = await this.repo.wait(window, this.blockMs, need);
      if (reply.status === 'waiting') watch = await this.watchProgress(watch, shard, window, need);
    }
    this.stats.barrierWaitMs += this.now() - waitStart;
    this.stats.redisRoundTrips += this.repo.roundTrips - trips;
    this.check(reply, shard);
    this.stopAt = reply.stopAt;
    return { inbound: this.accept(reply.entries), allDone: reply.allDone };
  }

  /**
   * Looks at the barrier's progress every few seconds while it is stuck
   * (`barrier-watch.protocol.ts`): any publish or claim restarts the clock;
   * none for the barrier timeout throws.
   */
  private async watchProgress(
    watch: BarrierWatch,
    shard: number,
    window: number,
    need: BarrierNeed,
  ): Promise<BarrierWatch> {
    const now = this.now();
    if (!probeDue(watch, now, this.barrierTimeoutMs)) return watch;
    const progress = await this.repo.barrierProgress(window, need);
    // A run fenced off while it waited (frozen past its lock, replaced) leaves: it would hold its slot until the timeout.
    if (progress.token !== this.opts.token) throw new ShardSupersededError(this.opts.jobId, shard);
    const next = afterProbe(watch, now, progress.signature, this.barrierTimeoutMs);
    if (next.timedOut)
      throw new BarrierTimeoutError(this.opts.jobId, shard, window, progress.missing, this.barrierTimeoutMs);
    return next.watch;
  }

  /** Dedupes a window's delivered entries and counts them. */
  accept(entries: InboundEntry[]): Float64Array[] {
    const d = dedupeInbound(entries);
    this.stats.messagesReceived += d.messages;
    this.stats.duplicatesDropped += d.duplicates;
    return d.batches;
  }

  private check(reply: BarrierReply, shard: number): void {
    if (reply.status === 'finished') throw new JobFinishedError(this.opts.jobId);
    if (reply.status === 'superseded') throw new ShardSupersededError(this.opts.jobId, shard);
  }
}
