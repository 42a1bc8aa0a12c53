import { sortMessageOffsets } from './message-order';

const EMPTY: number[] = [];

/**
 * A window's delivered messages, as record offsets per receiver: one list
 * per actor id, one for the partition broadcasts and one for arriving
 * vCPUs' migration chunks. The lists are reused from window to window (a
 * fleet delivers to a thousand actors every window), and only those that
 * received something are reset.
 */
export class InboxRoutes {
  private readonly perActor: number[][];
  private readonly touched: number[] = [];
  /** Partition broadcasts (`partitionDst`), in (time, src, seq) order after {@link sort}. */
  readonly broadcasts: number[] = [];
  /** Migration chunks of arriving vCPUs, in (time, src, seq) order after {@link sort}. */
  readonly migrations: number[] = [];

  /** @param actorCount actor ids are 0 .. actorCount - 1 */
  constructor(actorCount: number) {
    this.perActor = Array.from({ length: actorCount }, () => []);
  }

  /** Forgets the previous window's routes. */
  reset(): void {
    for (const id of this.touched) this.perActor[id].length = 0;
    this.touched.length = 0;
    this.broadcasts.length = 0;
    this.migrations.length = 0;
  }

  /** Files the message at offset `o` for actor `id`. */
  add(id: number, o: number): void {
    const list = this.perActor[id];
    if (list.length === 0) this.touched.push(id);
    list.push(o);
  }

  /** Sorts every list by (time, src, seq). */
  sort(buf: Float64Array): void {
    for (const id of this.touched) sortMessageOffsets(buf, this.perActor[id]);
    sortMessageOffsets(buf, this.broadcasts);
    sortMessageOffsets(buf, this.migrations);
  }

  /** Actor `id`'s messages (empty when none). */
  of(id: number): number[] {
    return this.perActor[id] ?? EMPTY;
  }
}
