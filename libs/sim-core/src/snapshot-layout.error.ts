/**
 * A shard snapshot was written by a build whose kernel state has another
 * layout ({@link SNAPSHOT_LAYOUT}). Restoring it would go on from wrong
 * state without a sign (LRU order, reported entries), so the restore
 * refuses; the job is resubmitted instead.
 */
export class SnapshotLayoutError extends Error {
  constructor(
    readonly found: number,
    readonly expected: number,
  ) {
    super(
      `snapshot layout ${found} was written by another tlbsim build; this build reads layout ${expected}: resubmit the job`,
    );
    this.name = 'SnapshotLayoutError';
  }
}
