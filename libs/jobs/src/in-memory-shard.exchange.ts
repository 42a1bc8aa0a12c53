import type { InboundEntry } from './batch.codec';
import { encodeBatch } from './batch.codec';
import { checkpointField } from './checkpoint.schedule';
import { resizeStopAt } from './protocol/barrier-need.protocol';
// A type-only import: the store constructs exchanges, so a value import back would be a cycle at load time.
import type { InMemoryShardStore } from './in-memory-shard.store';
import {
  furthestPublished,
  hincr,
  hnum,
  inboundWindow,
  MemJobState,
  passedFor,
  xaddBarrier,
  zaddInbound,
} from './in-memory-shard.state';
import {
  BarrierNeed,
  BarrierProgress,
  BarrierReply,
  BarrierStatus,
  CompletionKept,
  FencedAppendReply,
  NEED_ALL,
  ResizeStopReply,
  ShardClaim,
  ShardExchangeStore,
  SnapshotReply,
} from './shard.store';

// The replies of a publish to a finished job or under a stale token: nothing in them varies, so one object each.
const FINISHED: BarrierReply = { status: 'finished', allDone: false, fresh: false, entries: [], stopAt: -1 };
const SUPERSEDED: BarrierReply = { status: 'superseded', allDone: false, fresh: false, entries: [], stopAt: -1 };

/** One shard run's view of an {@link InMemoryShardStore}: lua/claim, publish, snapshot, ... in memory. */
export class InMemoryShardExchange implements ShardExchangeStore {
  roundTrips = 0;

  constructor(
    private readonly store: InMemoryShardStore,
    private readonly shard: number,
    private readonly shards: number,
  ) {}

  async claim(): Promise<ShardClaim | null> {
    this.roundTrips++;
    const s = this.shard;
    return this.store.write((j) => {
      if (j.result) return null;
      const token = String(hincr(j.barrier, `tok:${s}`));
      const older = this.store.mutation === 'older-snapshot' ? j.prevSnap.get(s) : undefined;
      const snapshot = older ?? j.snap.get(s) ?? null;
      return { token, snapshot, t0: hnum(j.barrier, `t0:${s}`, 0), stopAt: hnum(j.barrier, 'stopAt', -1) };
    });
  }

  async publish(
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
    token: string,
    need: BarrierNeed = NEED_ALL,
  ): Promise<BarrierReply> {
    this.roundTrips++;
    // encodeBatch copies: the kernel may reuse its outbound arrays.
    const batches = [...outbound].filter(([, b]) => b.length > 0).map(([d, b]) => [d, encodeBatch(b)] as const);
    return this.store.write((j) => this.publishIn(j, window, batches, done, token, need));
  }

  /** lua/publish.lua on the in-memory state (readiness is read off the `pub:` fields, which is what `rd:` tracks). */
  private publishIn(
    j: MemJobState,
    w: number,
    batches: readonly (readonly [number, Buffer])[],
    done: boolean,
    token: string,
    need: BarrierNeed,
  ): BarrierReply {
    const s = this.shard;
    if (j.result) return FINISHED;
    if (this.store.fenced(j, s, token)) return SUPERSEDED;
    const pub = hnum(j.barrier, `pub:${s}`, -1);
    const first = Math.max(pub, hnum(j.barrier, 'top', -1)) + 1;
    // A gap: the store lost this shard's previous publish (a restart); refused unless a span's, see lua/publish.lua.
    if (w > first && !need.span)
      return { status: 'waiting', allDone: false, fresh: false, stopAt: hnum(j.barrier, 'stopAt', -1), entries: [] };
    let fresh = false;
    if (w > pub || this.store.mutation === 'publish-twice') {
      fresh = true;
      for (const [dst, data] of batches) zaddInbound(j, dst, w, s, data);
      j.barrier.set(`pub:${s}`, String(w));
      const from = this.store.mutation === 'span-last-only' ? w : Math.min(first, w);
      this.store.windowsSpanned += w - from;
      this.count(j, from, w, done);
      if (j.barrier.has('resize') && !j.barrier.has('stopAt') && !j.barrier.has('end')) {
        const stopAt = resizeStopAt(furthestPublished(j, this.shards), need.syncEveryWindows ?? 1);
        j.barrier.set('stopAt', String(stopAt));
      }
    } else j.barrier.set(`re:${s}`, String(w));
    const stopAt = hnum(j.barrier, 'stopAt', -1);
    if (passedFor(j, w, need)) {
      const allDone = need.all && hnum(j.barrier, 'end', -1) === w;
      return { status: 'passed', allDone, fresh, stopAt, entries: inboundWindow(j, s, w) };
    }
    return { status: 'waiting', allDone: false, fresh, stopAt, entries: [] };
  }

  /**
   * Counts a fresh publish of windows `from..w` (one window unless a span;
   * `done` is the state after `w`); the last shard to publish a window
   * completes it, and the barrier stream gets the last window completed.
   */
  private count(j: MemJobState, from: number, w: number, done: boolean): void {
    let last = -1;
    let lastAll = '0';
    for (let x = from; x <= w; x++) {
      const c = hincr(j.barrier, `c:${x}`);
      if (done && x === w) hincr(j.barrier, `n:${x}`);
      if (c !== this.shards) continue;
      const all = hnum(j.barrier, `n:${x}`, 0) === this.shards ? '1' : '0';
      j.barrier.set('top', String(x));
      if (all === '1' && !j.barrier.has('end')) j.barrier.set('end', String(x));
      j.barrier.delete(`c:${x}`);
      j.barrier.delete(`n:${x}`);
      [last, lastAll] = [x, all];
    }
    if (last >= 0) xaddBarrier(j, last, lastAll);
  }

  /** One look at the wait (the in-memory store does not block; the caller waits between looks). */
  async wait(window: number, _blockMs: number, need: BarrierNeed = NEED_ALL): Promise<BarrierReply> {
    this.roundTrips++;
    return this.look(window, need);
  }

  /** The wait for `window` as a read of it sees it now (XREAD of the barrier or ready stream, then XRANGE of the inbound). */
  look(window: number, need: BarrierNeed = NEED_ALL): BarrierReply {
    return this.store.read((j) => {
      const stopAt = hnum(j.barrier, 'stopAt', -1);
      if (!need.all) {
        if (!passedFor(j, window, need))
          return { status: j.result ? 'finished' : 'waiting', allDone: false, fresh: false, entries: [], stopAt };
        return {
          status: 'passed',
          allDone: false,
          fresh: false,
          stopAt,
          entries: inboundWindow(j, this.shard, window),
        };
      }
      const entry = j.bar.find((e) => e.window >= window);
      if (!entry)
        return { status: j.result ? 'finished' : 'waiting', allDone: false, fresh: false, entries: [], stopAt };
      const allDone = entry.window === window && entry.all === '1';
      return { status: 'passed', allDone, fresh: false, stopAt, entries: inboundWindow(j, this.shard, window) };
    });
  }

  async barrierProgress(window: number, need: BarrierNeed = NEED_ALL): Promise<BarrierProgress> {
    this.roundTrips++;
    const waited = need.all ? Array.from({ length: this.shards }, (_, s) => s) : [...need.from];
    return this.store.read((j) => {
      const values: string[] = [];
      const missing: number[] = [];
      for (const s of waited) {
        for (const f of [`pub:${s}`, `tok:${s}`, `re:${s}`]) values.push(j.barrier.get(f) ?? '');
        if (hnum(j.barrier, `pub:${s}`, -1) < window) missing.push(s);
      }
      return { missing, signature: values.join(','), token: j.barrier.get(`tok:${this.shard}`) ?? null };
    });
  }

  async inboundOf(window: number): Promise<InboundEntry[]> {
    this.roundTrips++;
    return this.store.read((j) => inboundWindow(j, this.shard, window));
  }

  async saveSnapshot(bytes: Buffer, keepFrom: number, token: string, base?: Buffer | null): Promise<SnapshotReply> {
    this.roundTrips++;
    const s = this.shard;
    return this.store.write((j): SnapshotReply => {
      if (j.result) return 'finished';
      if (this.store.fenced(j, s, token)) return 'superseded';
      const prev = j.snap.get(s);
      // A delta goes on the chain it was taken against, or nowhere (as lua/snapshot.lua): the chain ends with its id.
      const ends = !!base && !!prev && prev.subarray(-base.length).equals(base);
      if (base && !ends && !(prev && this.store.mutation === 'delta-any-base')) {
        this.store.deltasRebased++;
        return 'rebase';
      }
      if (base) this.store.deltasAppended++;
      if (prev) j.prevSnap.set(s, prev);
      j.snap.set(s, base ? Buffer.concat([prev!, bytes]) : bytes);
      const stream = j.inbound.get(s);
      if (stream)
        j.inbound.set(
          s,
          stream.filter((e) => e.window >= keepFrom),
        );
      return 'passed';
    });
  }

  async saveCheckpoint(windowsDone: number, json: string, drop: readonly string[]): Promise<BarrierStatus> {
    this.roundTrips++;
    return this.store.write((j) => {
      if (j.result) return 'finished';
      j.ckpt.set(checkpointField(windowsDone, this.shard), json);
      for (const f of drop) j.ckpt.delete(f);
      return 'passed';
    });
  }

  async complete(json: string, token: string): Promise<number | BarrierStatus> {
    this.roundTrips++;
    return this.store.write((j) => {
      if (j.result) return 'finished';
      if (this.store.fenced(j, this.shard, token)) return 'superseded';
      j.parts.set(this.shard, json);
      return j.parts.size;
    });
  }

  async stopForResize(token: string, stopAt: number): Promise<ResizeStopReply> {
    this.roundTrips++;
    const s = this.shard;
    return this.store.write((j) => {
      if (j.result) return 'finished';
      if (this.store.fenced(j, s, token)) return 'superseded';
      if (j.barrier.get('stopAt') !== String(stopAt)) return 'none';
      if (!j.barrier.has(`rs:${s}`)) {
        j.barrier.set(`rs:${s}`, '1');
        hincr(j.barrier, 'rsn');
      }
      return hnum(j.barrier, 'rsn', 0);
    });
  }

  async appendProgress(eventJson: string, token: string): Promise<FencedAppendReply> {
    this.roundTrips++;
    const s = this.shard;
    return this.store.write((j) => {
      if (j.result) return 'finished';
      const stale = j.barrier.get(`tok:${s}`) !== token;
      if (this.store.fenced(j, s, token)) return 'superseded';
      j.events.push({ json: eventJson, shard: s, stale });
      return 'appended';
    });
  }

  async latestToken(): Promise<number> {
    this.roundTrips++;
    return this.store.read((j) => hnum(j.barrier, `tok:${this.shard}`, 0));
  }

  async completionKept(): Promise<CompletionKept> {
    this.roundTrips++;
    return this.store.read((j) => ({ partial: j.parts.has(this.shard), finished: j.result !== null }));
  }
}
