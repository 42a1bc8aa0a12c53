/**
 * When a shard run looks at the reply of a snapshot write it sent and did
 * not wait for (the periodic snapshot, `afterWindow`'s `awaited: false`).
 * Nothing in the shard needs that reply to go on: Redis runs a
 * connection's commands in order, so every later write of the run lands
 * after the snapshot's. The reply still decides the run's end (a
 * `finished` or `superseded` reply, or an error), so the run must have
 * looked at it before it sends the next snapshot (one write in flight at
 * most: its bytes stay bounded, and a refused snapshot is not followed by
 * another) and before it ends in any way; in between it takes the reply
 * only once it has come, for free.
 */

/** A point of the run where a pending snapshot write's reply may matter. */
export type SnapshotReplyPoint =
  /** After a window's exchange (`onWindow`, before its steps): the reply has usually come by then. */
  | 'window'
  /** Before the run sends its next snapshot (periodic, or one taken to end the run). */
  | 'snapshot'
  /** Before the run ends: completes, stops for a resize, leaves, hands back, or handles an error. */
  | 'end';

/** The run's pending snapshot write, as the run knows it. */
export type SnapshotWriteState = 'none' | 'in-flight' | 'settled';

/** What the run does with its pending snapshot write at a point: nothing, take the reply that came, or wait for it. */
export type SnapshotReplyCheck = 'skip' | 'take' | 'wait';

/**
 * What the run does at `point` with its pending snapshot write: a reply
 * that came is always taken (it may end the run there, as it would have
 * ended it at the snapshot); one still in flight is waited for only before
 * the next snapshot and before the run ends, never after a window.
 */
export function snapshotReplyCheck(point: SnapshotReplyPoint, write: SnapshotWriteState): SnapshotReplyCheck {
  if (write === 'none') return 'skip';
  if (write === 'settled') return 'take';
  return point === 'window' ? 'skip' : 'wait';
}
