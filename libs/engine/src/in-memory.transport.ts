import { ExchangeResult, ShardTransport } from './transport';

interface WindowSlot {
  arrived: number;
  allDone: boolean;
  inbound: Float64Array[][];
  waiters: ((r: ExchangeResult) => void)[];
}

/**
 * The in-process transport: shards of one process hand batches over in
 * memory; the last shard to publish a window releases the barrier.
 */
export class InMemoryTransport implements ShardTransport {
  private readonly slots = new Map<number, WindowSlot>();
  /** The window after which `stopWhen` ended the run, if it did. */
  stoppedAfterWindow: number | null = null;

  /**
   * @param stopWhen - asked at every barrier (with the window's index), when
   * every shard has run the window and none has started the next: true ends
   * the run there for all shards at once (as if every vCPU were done)
   */
  constructor(
    private readonly shards: number,
    private readonly stopWhen?: (window: number) => boolean,
  ) {}

  exchange(shard: number, window: number, outbound: Map<number, Float64Array>, done: boolean): Promise<ExchangeResult> {
    let slot = this.slots.get(window);
    if (!slot) {
      slot = { arrived: 0, allDone: true, inbound: Array.from({ length: this.shards }, () => []), waiters: [] };
      this.slots.set(window, slot);
    }
    // Deliver in sender-shard order; receivers sort by (time, src, seq) anyway.
    for (const [dst, batch] of outbound) slot.inbound[dst][shard] = batch;
    slot.allDone &&= done;
    slot.arrived++;
    const s = slot;
    const p = new Promise<ExchangeResult>((resolve) => {
      s.waiters[shard] = resolve;
    });
    if (slot.arrived === this.shards) {
      this.slots.delete(window);
      if (!s.allDone && this.stopWhen?.(window)) {
        s.allDone = true;
        this.stoppedAfterWindow = window;
      }
      for (let i = 0; i < this.shards; i++) {
        s.waiters[i]({ inbound: s.inbound[i].filter(Boolean), allDone: s.allDone });
      }
    }
    return p;
  }
}
