import type { InboundEntry } from './batch.codec';
import { checkpointField } from './checkpoint.schedule';
import { InMemoryShardExchange } from './in-memory-shard.exchange';
import { cloneMemJob, hnum, inboundWindow, MemEvent, MemJobState, newMemJob } from './in-memory-shard.state';
import {
  FinishedState,
  JobLayout,
  ResizeCommit,
  ResizeCommitReply,
  ShardExchangeStore,
  ShardStore,
} from './shard.store';

/**
 * A rule of the protocol broken on purpose, to show that the simulator
 * finds it: `skip-fence` accepts writes of any run (no fencing token check),
 * `publish-twice` writes and counts a window every time a shard publishes
 * it, `older-snapshot` hands a claim the snapshot before the last one,
 * `span-last-only` counts only the last window of an isolated shard's
 * publish, not every window since its previous one, `delta-any-base`
 * appends a snapshot's delta segment whatever the chain ends with.
 */
export type StoreMutation = 'skip-fence' | 'publish-twice' | 'older-snapshot' | 'span-last-only' | 'delta-any-base';

/** Options of {@link InMemoryShardStore}. */
export interface InMemoryShardStoreOptions {
  /** The job's shard count at submission. */
  shards: number;
  /** A planted bug (tests of the simulator only). @defaultValue none */
  mutation?: StoreMutation;
  /** Writes not yet on disk kept at most (older ones are synced regardless). @defaultValue 100000 */
  journalMax?: number;
}

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
  /** Delta segments appended to a snapshot chain, and refused (`rebase`: the chain ended elsewhere). Diagnostics, as {@link windowsSpanned}. */
  deltasAppended = 0;
  deltasRebased = 0;

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
