import type { InboundEntry } from './batch.codec';

/**
 * The storage of the shard protocol, behind one narrow interface with two
 * implementations: Redis (`RedisShardStore`, the Lua scripts of `lua/`) and
 * memory (`InMemoryShardStore`, the protocol simulator's). Both follow the
 * same rules, held by one contract suite (test/shard-store.contract.test.ts):
 *
 * - once a job is finished (its result record, the tombstone, exists) every
 *   write of its shards is refused with `finished`;
 * - a shard's writes (publish, snapshot, complete, resize stop, progress
 *   events) carry the fencing token of its run, and a run whose token is no
 *   longer the shard's latest claim is refused with `superseded`;
 * - a window is published once per shard: a re-run of it (a resumed shard)
 *   writes nothing but its progress marker;
 * - a shard may go on after a window once the shards it waits for
 *   ({@link BarrierNeed}) published it: its in-neighbours, or every shard
 *   where the job decides something (the run's end, a checkpoint); without
 *   a need, every shard (the barrier of old).
 */

/** Outcome of publishing a window, waiting for its barrier, or a fenced write. */
export type BarrierStatus = 'passed' | 'waiting' | 'finished' | 'superseded';

/** What {@link ShardExchangeStore.saveSnapshot} returns: a barrier status, or `rebase` for a delta whose base is not the chain's end. */
export type SnapshotReply = BarrierStatus | 'rebase';

/** What {@link ShardExchangeStore.publish} and `.wait` return. */
export interface BarrierReply {
  status: BarrierStatus;
  /** Every shard reported done in this window. */
  allDone: boolean;
  /** False when the window had been published before (a resumed shard re-running it). */
  fresh: boolean;
  /** The window's batches for this shard, when passed. */
  entries: InboundEntry[];
  /** The window after which every shard stops for a resize, -1 if none (see lua/publish.lua). */
  stopAt: number;
}

/**
 * Whom a shard waits for after publishing a window, and whose readiness its
 * publish moves (protocol/barrier-need.protocol.ts decides it from sim-core's
 * neighbour rule).
 */
export interface BarrierNeed {
  /** Wait for every shard (the run may end here, or the job checkpoints here), not only the in-neighbours. */
  all: boolean;
  /** The shards that can send to this one (its in-neighbours). */
  from: readonly number[];
  /** The shards this one can send to, each with its own in-neighbours: a publish moves their readiness. */
  to: readonly { shard: number; from: readonly number[] }[];
  /**
   * The shard shares no host with another and publishes only some windows
   * (barrier-need.protocol.ts `publishesAt`): a publish of it covers every
   * window since its last one. @defaultValue false
   */
  span?: boolean;
  /** The job's sync period (a resize stops at a sync window, `resizeStopAt`). @defaultValue 1 */
  syncEveryWindows?: number;
}

/** Wait for every shard: the need of a caller that gives none. */
export const NEED_ALL: BarrierNeed = { all: true, from: [], to: [] };

/** What {@link ShardExchangeStore.barrierProgress} returns. */
export interface BarrierProgress {
  /** Shards waited for that have not published the window. */
  missing: number[];
  /** The waited-for shards' last published window and token: equal signatures, no progress. */
  signature: string;
  /** The waiting shard's own latest token: another than the waiting run's means the run was fenced off. */
  token: string | null;
}

/** What {@link ShardExchangeStore.claim} returns. */
export interface ShardClaim {
  token: string;
  snapshot: Buffer | null;
  /** The token before this shard's first run at the job's current shard count. */
  t0: number;
  /** The window of a resize under way, -1 if none. */
  stopAt: number;
}

/** What {@link ShardExchangeStore.stopForResize} returns: the shards stopped so far, or why the stop does not count. */
export type ResizeStopReply = number | 'finished' | 'superseded' | 'none';

/** What {@link ShardExchangeStore.appendProgress} returns. */
export type FencedAppendReply = 'appended' | 'finished' | 'superseded';

/**
 * The store as one run of one shard sees it (its shard and the job's shard
 * count are fixed). Every call is one round trip.
 */
export interface ShardExchangeStore {
  /** Round trips so far. */
  readonly roundTrips: number;
  /** Takes a new fencing token for this run and returns the shard's last snapshot; null once the job is finished. */
  claim(): Promise<ShardClaim | null>;
  /**
   * Publishes window `window` (one batch per destination shard) and checks
   * whether the shards of `need` published it; a store that can block waits
   * for them up to `blockMs` in the same round trip (0: looks once).
   */
  publish(
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
    token: string,
    need?: BarrierNeed,
    blockMs?: number,
  ): Promise<BarrierReply>;
  /** Waits up to `blockMs` for the shards of `need` to publish `window` (a store without blocking reads looks once). */
  wait(window: number, blockMs: number, need?: BarrierNeed): Promise<BarrierReply>;
  /** Where the wait for `window` stands. */
  barrierProgress(window: number, need?: BarrierNeed): Promise<BarrierProgress>;
  /** The batches delivered in the window after `window` (a resumed shard's first inbound). */
  inboundOf(window: number): Promise<InboundEntry[]>;
  /**
   * Stores a snapshot taken after window `keepFrom` (fenced) and drops inbound batches of earlier windows.
   * `base` null: `bytes` is a full segment, which replaces the shard's snapshot; else a delta segment
   * (snapshot-chain.ts), appended only if the stored chain ends with the segment whose id is `base`
   * (`rebase` otherwise: nothing is written, and the writer's next segment is a full one).
   */
  saveSnapshot(bytes: Buffer, keepFrom: number, token: string, base?: Buffer | null): Promise<SnapshotReply>;
  /** Stores the checkpoint after `windowsDone` windows (not fenced: it is deterministic), dropping the fields `drop`. */
  saveCheckpoint(windowsDone: number, json: string, drop: readonly string[]): Promise<BarrierStatus>;
  /** Stores the shard's partial result (fenced); the number of shards finished, or a status. */
  complete(json: string, token: string): Promise<number | BarrierStatus>;
  /** Counts the shard as stopped for the resize after window `stopAt` (fenced). */
  stopForResize(token: string, stopAt: number): Promise<ResizeStopReply>;
  /** Appends a progress event of this run (`eventJson`), fenced. */
  appendProgress(eventJson: string, token: string): Promise<FencedAppendReply>;
  /** The shard's latest fencing token (0: never claimed, or forgotten by a store restart). */
  latestToken(): Promise<number>;
  /**
   * What the store still holds of this shard's completion: its partial
   * result, and whether the job finished. A store restart after `complete`
   * (AOF keeps a prefix of the last second's writes) may have lost either.
   */
  completionKept(): Promise<CompletionKept>;
}

/** What {@link ShardExchangeStore.completionKept} returns. */
export interface CompletionKept {
  /** The shard's partial result is stored. */
  partial: boolean;
  /** The job's result record (its tombstone) exists. */
  finished: boolean;
}

/** Final state of a job, as its result record (the tombstone) holds it. */
export type FinishedState = 'completed' | 'failed' | 'cancelled';

/** Where a job's shard layout stands (its metadata's `shards` and `epoch`). */
export interface JobLayout {
  shards: number;
  epoch: number;
}

/** Arguments of {@link ShardStore.commitResize} (see lua/resize-commit.lua). */
export interface ResizeCommit {
  /** The epoch the commit expects (it moved: someone committed already). */
  epoch: number;
  /** The shard count before. */
  from: number;
  /** The new shard count. */
  to: number;
  /** The resize request the commit expects ('' for a job not running). */
  expect: string;
  /** Put the job back in the admission queue. */
  requeue: boolean;
  /** The window count the snapshots were taken after. */
  windowsDone: number;
  /** One snapshot per new shard. */
  snapshots: Buffer[];
  /** One checkpoint (ShardPartial JSON) per new shard. */
  checkpoints: string[];
  /** The `resized` event. */
  eventJson: string;
}

/** What {@link ShardStore.commitResize} returns: the new epoch, or why not. */
export type ResizeCommitReply = number | 'finished' | 'moved' | 'redo';

/** The job-wide part of the protocol's storage (one job). */
export interface ShardStore {
  /** The store of one run of `shard` while the job has `shards` shards. */
  exchange(shard: number, shards: number): ShardExchangeStore;
  /** The job's shard count and epoch; null if its metadata is gone. */
  layout(): Promise<JobLayout | null>;
  /** The job's final state, or null while it runs. */
  finishedState(): Promise<FinishedState | null>;
  /** Finishes the job once (the tombstone) with the final event; false if it was finished already. */
  finish(state: FinishedState, fields: Record<string, string>, eventJson: string): Promise<boolean>;
  /** Appends an event (JSON) unless the job is finished; false if it is. */
  append(eventJson: string): Promise<boolean>;
  /** Deletes what only a running job needs (barrier, streams, snapshots, partials, checkpoints). */
  dropTransport(shards: number): Promise<void>;
  /** Asks the running shards to stop at the next barrier for a resize to `shards`; false if the job is finished. */
  requestResize(shards: number, eventJson: string): Promise<boolean>;
  /** The shard count of the resize requested, or null. */
  resizeRequested(): Promise<number | null>;
  /** Each shard's stored snapshot. */
  snapshots(shards: number): Promise<(Buffer | null)[]>;
  /** Each shard's batches delivered in the window after `window`. */
  inboundAt(shards: number, window: number): Promise<InboundEntry[][]>;
  /** Switches the job to re-partitioned snapshots, atomically. */
  commitResize(c: ResizeCommit): Promise<ResizeCommitReply>;
  /** Finished shards' partial results (JSON) by shard. */
  partials(): Promise<Map<number, string>>;
  /** Checkpoints (JSON) by field `<windowsDone>:<shard>`. */
  checkpoints(): Promise<Map<string, string>>;
  /** The job's events (JSON) in order. */
  events(): Promise<string[]>;
}
