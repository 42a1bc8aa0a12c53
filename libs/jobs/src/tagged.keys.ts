/**
 * Key names of one stored thing (a job, a sweep, a hunt or a shrink). Every
 * key carries the hash tag `{<tag>:<id>}`, so a Redis Cluster keeps them in
 * one slot and Lua scripts may touch several.
 */
export abstract class TaggedKeys {
  /** The shared tag, e.g. `tlbsim:{job:abc}`. */
  readonly base: string;

  /**
   * @param prefix - tlbsim's key prefix
   * @param tag - what is stored: `job`, `sweep`
   * @param id - its id
   */
  protected constructor(
    readonly prefix: string,
    tag: string,
    id: string,
  ) {
    this.base = `${prefix}:{${tag}:${id}}`;
  }

  /** Hash: what was submitted and the state. */
  get meta(): string {
    return `${this.base}:meta`;
  }
  /** Stream: the append-only events (lifecycle, progress). */
  get events(): string {
    return `${this.base}:events`;
  }
}
