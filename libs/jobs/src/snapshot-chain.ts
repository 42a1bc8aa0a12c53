import { encodeSegment, segmentIdOf, SnapshotBase, StoredSnapshot } from './shard-snapshot.codec';
import type { BarrierStatus, ShardExchangeStore } from './shard.store';

/**
 * Delta segments a chain holds at most after its full one: the most a
 * resume reads and applies.
 * @defaultValue 15
 */
export const SNAPSHOT_CHAIN_DELTAS_MAX = 15;

/** The next segment a run stores: its bytes, and the id of the chain end a delta applies to (null: a full one). */
export interface ChainSegment {
  bytes: Buffer;
  base: Buffer | null;
}

/**
 * One shard run's snapshots as the store keeps them: with `run.snapshots:
 * incremental`, a full segment, then deltas (the words changed since the
 * previous segment) that the store appends to it, until the next full one;
 * with `full` (the default), a full segment every time.
 *
 * Why incremental is not the default (measured on fleet.yaml's 512-vCPU
 * shard, `npm run bench -- --only snapshot`, docs/scaling.md section 10):
 * a snapshot is mostly TLBs, and an interval of 1,024 windows changes 20
 * to 55 % of their words (`churnByWindows`), so a delta is still 40-80 % of
 * a full segment's bytes; its encoding reads the whole state and the kept
 * copy (about twice a full encoding's CPU), and Redis's APPEND costs more
 * per byte than the full segment's SET and rename. A delta pays only below
 * about 40 % of a full segment: for workloads whose TLBs change little
 * between snapshots.
 *
 * A full segment comes first, after {@link SNAPSHOT_CHAIN_DELTAS_MAX}
 * deltas, once the deltas weigh as much as the full one (a resume then
 * reads at most about two snapshots' worth), when the number of arrays
 * changed (an array whose length changed, as the carry's does, goes whole
 * in a delta), and after the store refused a delta because its chain ends
 * elsewhere ({@link rebase}: a store restart lost the last segment). A
 * resumed run starts with a full one too: it keeps no copy of the state it
 * restored.
 *
 * An incremental writer keeps the last segment's state, a copy of the
 * arrays (65 MB for 512 vCPUs), which each delta updates as it encodes.
 */
export class SnapshotChain {
  private base: SnapshotBase | null = null;
  private endId: Buffer | null = null;
  private fullBytes = 0;
  private deltaBytes = 0;
  private deltas = 0;
  private segments = 0;
  /** The next segment is a full one ({@link rebase}). */
  private rebased = false;

  /**
   * @param tag - tells this run's segments from another run's at the same window ({@link tagOfToken})
   * @param incremental - deltas after a full segment; false: every segment full, and no copy of the state
   *   kept (`run.snapshots`) @defaultValue true
   */
  constructor(
    private readonly tag: number,
    private readonly incremental = true,
  ) {}

  /** The next segment of `s` (the store's reply to the previous one already taken: see {@link rebase}). */
  next(s: StoredSnapshot): ChainSegment {
    const full =
      this.base === null ||
      this.rebased ||
      this.deltas >= SNAPSHOT_CHAIN_DELTAS_MAX ||
      this.deltaBytes >= this.fullBytes;
    this.rebased = false;
    // Unique within the run as well: two segments at one window (a periodic one, then one on leaving) differ.
    const id = segmentIdOf(s.sim.window, (this.tag + this.segments++) >>> 0);
    const seg = encodeSegment(s, id, this.base, this.incremental, full || !this.incremental);
    const base = seg.delta ? this.endId : null;
    if (seg.delta) {
      this.deltas++;
      this.deltaBytes += seg.arrayBytes;
    } else {
      this.deltas = 0;
      this.deltaBytes = 0;
      this.fullBytes = seg.arrayBytes;
    }
    this.base = seg.base;
    this.endId = id;
    return { bytes: seg.bytes, base };
  }

  /** The store did not append the last delta (its chain ends elsewhere): the next segment is a full one. */
  rebase(): void {
    this.rebased = true;
  }
}

/** A run's {@link SnapshotChain} tag: FNV-1a of its fencing token. */
export function tagOfToken(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Sends the next segment of `chain` for `stored` (taken after window
 * `keepFrom`) to `x`; the reply as a barrier status. A delta the store did
 * not take (its chain ends elsewhere: a store restart lost a segment):
 * - awaited (the shard does not run on meanwhile): goes again as a full
 *   one, so that a stopping run leaves its state at this window;
 * - not awaited: is a snapshot not taken, as if the worker had died before
 *   it (no batch was dropped), and the next segment is a full one. Not
 *   again now: `stored` holds the shard's live arrays, which run on.
 */
export function sendSegment(
  x: Pick<ShardExchangeStore, 'saveSnapshot'>,
  chain: SnapshotChain,
  stored: StoredSnapshot,
  keepFrom: number,
  token: string,
  awaited: boolean,
): Promise<BarrierStatus> {
  // Encoded now, before the shard runs on (the arrays may be live).
  const seg = chain.next(stored);
  return x.saveSnapshot(seg.bytes, keepFrom, token, seg.base).then(async (reply) => {
    if (reply !== 'rebase') return reply;
    chain.rebase();
    if (!awaited) return 'passed';
    const full = chain.next(stored);
    const again = await x.saveSnapshot(full.bytes, keepFrom, token, full.base);
    // A full segment replaces the chain whatever it ends with: never `rebase`.
    return again === 'rebase' ? 'passed' : again;
  });
}
