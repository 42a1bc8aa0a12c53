/**
 * A stored shard snapshot is in a byte encoding this build does not read
 * (a later build's, or not a snapshot at all). One line, as for a snapshot
 * of another kernel layout: the job is resubmitted.
 */
export class SnapshotEncodingError extends Error {
  /**
   * @param found - the encoding the snapshot names, or null when it has no header this build knows
   * @param expected - the encoding this build writes
   */
  constructor(
    readonly found: number | null,
    readonly expected: number,
  ) {
    super(
      `snapshot encoding ${found ?? 'unknown'} was written by another tlbsim build; this build reads encoding ${expected}: resubmit the job`,
    );
    this.name = 'SnapshotEncodingError';
  }
}
