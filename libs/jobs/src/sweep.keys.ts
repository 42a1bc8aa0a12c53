import type { SweepKind } from '@tlbsim/contracts';
import { globalPrefixOf } from './jobs.constants';
import { TaggedKeys } from './tagged.keys';

/**
 * Redis key names of one sweep, hunt or shrink, under the hash tag
 * `{sweep:<id>}`: `meta` (name, grid keys, policies, seeds, point count,
 * state, error, times), `events` (progress and the end) and those below.
 */
export class SweepKeys extends TaggedKeys {
  constructor(
    prefix: string,
    readonly sweepId: string,
  ) {
    super(prefix, 'sweep', sweepId);
  }

  /** Hash: point index -> the point (grid values, policy, seed, scenario) as JSON. */
  get points(): string {
    return `${this.base}:points`;
  }
  /** Hash: point index -> its finished row as JSON. */
  get rows(): string {
    return `${this.base}:rows`;
  }
  /** Hash: point index -> what a hunt or shrink learns from it (with the report of a violating run), or a compare point's whole report, as JSON. */
  get answers(): string {
    return `${this.base}:answers`;
  }
  /** Hash (hunts and shrinks): the request, the search's state between batches, the first point of the batch running, the result. */
  get search(): string {
    return `${this.base}:search`;
  }

  /** Every key of the sweep (what expires once it ended). */
  get all(): string[] {
    return [this.meta, this.points, this.rows, this.answers, this.search, this.events];
  }

  /** Sorted set of every sweep (hunt, shrink) id by creation time: `<prefix>:sweeps`, `:hunts`, `:shrinks` (a global key: tagged `{<prefix>}` on a cluster). */
  static index(prefix: string, cluster = false, kind: SweepKind = 'sweep'): string {
    return `${globalPrefixOf(prefix, cluster)}:${kind}s`;
  }
}
