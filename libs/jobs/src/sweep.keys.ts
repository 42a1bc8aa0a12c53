import { globalPrefixOf } from './jobs.constants';

/**
 * Redis key names of one sweep. Every key carries the hash tag
 * `{sweep:<id>}` so a Redis Cluster keeps them in one slot.
 */
export class SweepKeys {
  /** The shared tag, e.g. `tlbsim:{sweep:abc}`. */
  readonly base: string;

  constructor(readonly prefix: string, readonly sweepId: string) {
    this.base = `${prefix}:{sweep:${sweepId}}`;
  }

  /** Hash: name, grid keys, policies, seeds, point count, state, error, times. */
  get meta(): string { return `${this.base}:meta`; }
  /** Hash: point index -> the point (grid values, policy, seed, scenario) as JSON. */
  get points(): string { return `${this.base}:points`; }
  /** Hash: point index -> its finished row as JSON. */
  get rows(): string { return `${this.base}:rows`; }

  /** Sorted set of every sweep id by creation time (a global key: tagged `{<prefix>}` on a cluster). */
  static index(prefix: string, cluster = false): string {
    return `${globalPrefixOf(prefix, cluster)}:sweeps`;
  }
}
