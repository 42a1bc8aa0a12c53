import { replyEnd, RunEnd } from './protocol/shard-run.protocol';
import { snapshotReplyCheck, SnapshotReplyPoint, SnapshotWriteState } from './protocol/snapshot-write.protocol';
import type { BarrierStatus } from './shard.store';

/** How a sent snapshot write ended: its reply, or its error. */
type WriteOutcome = { reply: BarrierStatus } | { error: unknown };

/** A snapshot write in flight, and how it ended once it did. */
interface PendingWrite {
  settled: Promise<WriteOutcome>;
  outcome: WriteOutcome | null;
}

/**
 * The snapshot write a shard run sent and has not looked at yet (one at
 * most). Its reply is taken at the points `snapshot-write.protocol.ts`
 * names, where it ends the run as an awaited write's reply would have: a
 * `finished` or `superseded` reply is the run's end, an error is thrown
 * there for the run's error handling.
 */
export class SnapshotWriteTracker {
  private pending: PendingWrite | null = null;

  /** The pending write, as {@link snapshotReplyCheck} sees it. */
  get state(): SnapshotWriteState {
    if (!this.pending) return 'none';
    return this.pending.outcome ? 'settled' : 'in-flight';
  }

  /**
   * Holds `write`, a snapshot write just sent. Its outcome is caught at
   * once: a write that fails while the shard runs on is an error the run
   * takes later, never an unhandled rejection.
   */
  hold(write: Promise<BarrierStatus>): void {
    // The protocol waits for a pending write before the next snapshot; a second one here is a driver bug.
    if (this.pending) throw new Error('a snapshot write is already pending');
    const pending: PendingWrite = { settled: Promise.resolve({ reply: 'passed' }), outcome: null };
    pending.settled = write.then(
      (reply): WriteOutcome => (pending.outcome = { reply }),
      (error: unknown): WriteOutcome => (pending.outcome = { error }),
    );
    this.pending = pending;
  }

  /**
   * Looks at the pending write at `point`: the end of the run its reply
   * decides, null to go on (no write, its reply was `passed`, or it is
   * still in flight where the run need not wait); its error is thrown.
   */
  async check(point: SnapshotReplyPoint): Promise<RunEnd | null> {
    const pending = this.pending;
    if (!pending || snapshotReplyCheck(point, this.state) === 'skip') return null;
    const outcome = await pending.settled;
    this.pending = null;
    if ('error' in outcome) throw outcome.error;
    return replyEnd(outcome.reply);
  }
}
