import type { InboundEntry } from './batch.codec';
import { encodeBatch } from './batch.codec';
import { checkpointField } from './checkpoint.schedule';
import { resizeStopAt } from './protocol/barrier-need.protocol';
import {
  cloneMemJob,
  furthestPublished,
  hincr,
  hnum,
  inboundWindow,
  MemEvent,
  MemJobState,
  newMemJob,
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
  FinishedState,
  JobLayout,
  NEED_ALL,
  ResizeCommit,
  ResizeCommitReply,
  ResizeStopReply,
  ShardClaim,
  ShardExchangeStore,
  ShardStore,
} from './shard.store';

/**
 * A rule of the protocol broken on purpose, to show that the simulator
 * finds it: `skip-fence` accepts writes of any run (no fencing token check),
 * `publish-twice` writes and counts a window every time a shard publishes
 * it, `older-snapshot` hands a claim the snapshot before the last one,
 * `span-last-only` counts only the last window of an isolated shard's
 * publish, not every window since its previous one.
 */
export type StoreMutation = 'skip-fence' | 'publish-twice' | 'older-snapshot' | 'span-last-only';

/** Options of {@link InMemoryShardStore}. */
export interface InMemoryShardStoreOptions {
  /** The job's shard count at submission. */
  shards: number;
  /** A planted bug (tests of the simulator only). @defaultValue none */
  mutation?: StoreMutation;
  /** Writes not yet on disk kept at most (older ones are synced regardless). @defaultValue 100000 */
  journalMax?: number;
}

const FINISHED: BarrierReply = { status: 'finished', allDone: false, fresh: false, entries: [], stopAt: -1 };
const SUPERSEDED: BarrierReply = { status: 'superseded', allDone: false, fresh: false, entries: [], stopAt: -1 };

/**
 * The in-memory {@link ShardStore} of one job: the rules of the Lua scripts
 * of `lua/`, step for step, on maps named after the Redis keys. Each call
 * is atomic, as a script is. It also keeps what Redis with
 * `appendfsync everysec` would: {@link fsync} marks the state on disk, and
 * {@link restart} goes back to it plus the first writes since (AOF keeps a
 * prefix of the writes of the last second).
 */
export class InMemoryShardStore implements ShardStore {
  private job: MemJobState;
  private durable: MemJobState;
  private journal: ((j: MemJobState) => unknown)[] = [];
  private readonly journalMax: number;
  readonly mutation: StoreMutation | undefined;
  /**
   * Windows counted by isolated shards' publishes beyond the window each
   * published (windows no round trip paid for). A diagnostic: a restart's
   * replay of the kept writes counts theirs again.
   */
  windowsSpanned = 0;

  constructor(opts: InMemoryShardStoreOptions) {
    if (!(Number.isInteger(opts.shards) && opts.shards >= 1)) throw new Error(`shards: ${opts.shards}`);
    this.job = newMemJob(opts.shards);
    this.durable = cloneMemJob(this.job);
    this.mutation = opts.mutation;
    this.journalMax = opts.journalMax ?? 100_000;
  }

  /** Runs a write atomically and journals it (for {@link restart}). */
  write<T>(fn: (j: MemJobState) => T): T {
    this.journal.push(fn);
    if (this.journal.length > this.journalMax) this.fsync();
    return fn(this.job);
  }

  /** Runs a read. */
  read<T>(fn: (j: MemJobState) => T): T {
    return fn(this.job);
  }

  /** Everything written so far reached the disk (an fsync of the AOF). */
  fsync(): void {
    this.durable = cloneMemJob(this.job);
    this.journal = [];
  }

  /** Writes since the last {@link fsync}. */
  get unsynced(): number {
    return this.journal.length;
  }

  /**
   * A crash and restart: the state on disk plus the first `kept` writes
   * since the last fsync (replayed: each write is deterministic in the state).
   */
  restart(kept: number): void {
    const job = cloneMemJob(this.durable);
    for (const fn of this.journal.slice(0, Math.max(0, kept))) {
      try {
        fn(job);
      } catch {
        // A write that failed the first time fails again: nothing applied.
      }
    }
    this.job = job;
    this.fsync();
  }

  /** True if `token` is not shard `shard`'s latest claim (and the fence is not skipped by a mutation). */
  fenced(j: MemJobState, shard: number, token: string): boolean {
    return this.mutation !== 'skip-fence' && j.barrier.get(`tok:${shard}`) !== token;
  }

  /** Every event appended, with the simulator's marks. */
  eventLog(): readonly MemEvent[] {
    return this.job.events;
  }

  exchange(shard: number, shards: number): ShardExchangeStore {
    return new InMemoryShardExchange(this, shard, shards);
  }

  async layout(): Promise<JobLayout | null> {
    return this.read((j) => ({ shards: hnum(j.meta, 'shards', 0), epoch: hnum(j.meta, 'epoch', 0) }));
  }

  async finishedState(): Promise<FinishedState | null> {
    return this.read((j) => (j.result?.get('state') as FinishedState | undefined) ?? null);
  }

  async finish(state: FinishedState, fields: Record<string, string>, eventJson: string): Promise<boolean> {
    return this.write((j) => {
      if (j.result) return false;
      j.result = new Map(Object.entries({ ...fields, state }));
      j.events.push({ json: eventJson, stale: false });
      return true;
    });
  }

  async dropTransport(shards: number): Promise<void> {
    this.write((j) => {
      j.barrier.clear();
      j.bar = [];
      j.parts.clear();
      j.ckpt.clear();
      for (let s = 0; s < shards; s++) {
        j.inbound.delete(s);
        j.snap.delete(s);
      }
    });
  }

  async append(eventJson: string): Promise<boolean> {
    return this.write((j) => {
      if (j.result) return false;
      j.events.push({ json: eventJson, stale: false });
      return true;
    });
  }

  async requestResize(shards: number, eventJson: string): Promise<boolean> {
    return this.write((j) => {
      if (j.result) return false;
      j.barrier.set('resize', String(shards));
      j.meta.set('resizeTo', String(shards));
      j.events.push({ json: eventJson, stale: false });
      return true;
    });
  }

  async resizeRequested(): Promise<number | null> {
    return this.read((j) => (j.barrier.has('resize') ? Number(j.barrier.get('resize')) : null));
  }

  async snapshots(shards: number): Promise<(Buffer | null)[]> {
    return this.read((j) => Array.from({ length: shards }, (_, s) => j.snap.get(s) ?? null));
  }

  async inboundAt(shards: number, window: number): Promise<InboundEntry[][]> {
    return this.read((j) => Array.from({ length: shards }, (_, s) => inboundWindow(j, s, window)));
  }

  async commitResize(c: ResizeCommit): Promise<ResizeCommitReply> {
    return this.write((j) => commitResizeIn(j, c));
  }

  async partials(): Promise<Map<number, string>> {
    return this.read((j) => new Map(j.parts));
  }

  async checkpoints(): Promise<Map<string, string>> {
    return this.read((j) => new Map(j.ckpt));
  }

  async events(): Promise<string[]> {
    return this.read((j) => j.events.map((e) => e.json));
  }
}

/** lua/resize-commit.lua on the in-memory state. */
function commitResizeIn(j: MemJobState, c: ResizeCommit): ResizeCommitReply {
  if (j.result) return 'finished';
  const epoch = hnum(j.meta, 'epoch', 0);
  if (epoch !== c.epoch) return 'moved';
  if (c.expect !== '' && j.barrier.get('resize') !== c.expect) return 'redo';
  for (let i = 0; i < Math.max(c.from, c.to); i++) {
    j.inbound.delete(i);
    if (i < c.to) j.snap.set(i, c.snapshots[i]);
    else j.snap.delete(i);
  }
  j.ckpt.clear();
  for (let i = 0; i < c.to; i++) j.ckpt.set(checkpointField(c.windowsDone, i), c.checkpoints[i]);
  for (const f of [...j.barrier.keys()]) if (f.startsWith('rs:')) j.barrier.delete(f);
  for (const f of ['resize', 'stopAt', 'rsn']) j.barrier.delete(f);
  for (let s = 0; s < c.to; s++) j.barrier.set(`t0:${s}`, j.barrier.get(`tok:${s}`) ?? '0');
  j.meta.set('shards', String(c.to));
  j.meta.set('epoch', String(epoch + 1));
  j.meta.delete('resizeTo');
  if (c.requeue) j.meta.set('requeue', '1');
  j.events.push({ json: c.eventJson, stale: false });
  return epoch + 1;
}

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

  async saveSnapshot(bytes: Buffer, keepFrom: number, token: string): Promise<BarrierStatus> {
    this.roundTrips++;
    const s = this.shard;
    return this.store.write((j) => {
      if (j.result) return 'finished';
      if (this.store.fenced(j, s, token)) return 'superseded';
      const prev = j.snap.get(s);
      if (prev) j.prevSnap.set(s, prev);
      j.snap.set(s, bytes);
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
