/**
 * A stored snapshot chain does not decode: a delta segment that does not
 * fit the state before it (other arrays, or a delta where a chain must
 * start with a full segment). The store appends a delta only to the chain
 * it was taken against (lua/snapshot.lua), so this is a store that broke
 * that rule; one line, and the job is resubmitted.
 */
export class SnapshotChainError extends Error {
  /** @param segment - the index of the segment at fault in the chain (0: the first) */
  constructor(readonly segment: number) {
    super(
      `snapshot chain broken at segment ${segment}: a delta that does not fit the state before it (the store appended it to another chain): resubmit the job`,
    );
    this.name = 'SnapshotChainError';
  }
}
