import { allShardNeighbours, checkOutbound, ShardNeighbours } from '@tlbsim/sim-core';
import { ExchangeResult, ShardTransport } from './transport';

/** A shard waiting for what it needs to run the window after `window`. */
interface Waiter {
  shard: number;
  window: number;
  /** Waits for every shard (the end or a stop is decided here), not only its in-neighbours. */
  all: boolean;
  resolve: (r: ExchangeResult) => void;
}

/**
 * The in-process transport: shards of one process hand batches over in
 * memory. A shard goes on to its next window once the shards that can send
 * to it (`neighbours`, sim-core shard-neighbours.ts) have published the
 * window; it waits for every shard only where the whole job decides
 * something: when it is done (the run ends in the first window every shard
 * is done in), and at every window when `stopWhen` is given.
 */
export class InMemoryTransport implements ShardTransport {
  /** The window after which `stopWhen` ended the run, if it did. */
  stoppedAfterWindow: number | null = null;
  private readonly neighbours: ShardNeighbours;
  /** Per shard: the last window it published. */
  private readonly published: Int32Array;
  /** Per receiver: window -> batches by sender. */
  private readonly inbox: Map<number, Float64Array[]>[];
  /** Per window not yet published by every shard: shards published, shards done. */
  private readonly counts = new Map<number, { arrived: number; done: number }>();
  /** The last window every shard published (windows complete in order). */
  private top = -1;
  /** The window every shard was done in (or the stop), -1 while none. */
  private endWindow = -1;
  private waiters: Waiter[] = [];

  /**
   * @param stopWhen - asked at every window's completion (with the window's
   * index), when every shard has run the window and none has started the
   * next: true ends the run there for all shards at once (as if every vCPU
   * were done). Given, every shard waits for every other at every window.
   * @param neighbours - who can send to whom. @defaultValue every shard to every other
   */
  constructor(
    private readonly shards: number,
    private readonly stopWhen?: (window: number) => boolean,
    neighbours?: ShardNeighbours,
  ) {
    this.neighbours = neighbours ?? allShardNeighbours(shards);
    if (this.neighbours.shards !== shards)
      throw new Error(`neighbours of ${this.neighbours.shards} shards, not ${shards}`);
    this.published = new Int32Array(shards).fill(-1);
    this.inbox = Array.from({ length: shards }, () => new Map());
  }

  exchange(shard: number, window: number, outbound: Map<number, Float64Array>, done: boolean): Promise<ExchangeResult> {
    checkOutbound(this.neighbours, shard, outbound);
    for (const [dst, batch] of outbound) {
      const box = this.inbox[dst];
      const list = box.get(window) ?? [];
      // Deliver in sender-shard order; receivers sort by (time, src, seq) anyway.
      list[shard] = batch;
      box.set(window, list);
    }
    this.published[shard] = window;
    this.count(window, done);
    const p = new Promise<ExchangeResult>((resolve) => {
      this.waiters.push({ shard, window, all: done || this.stopWhen !== undefined, resolve });
    });
    this.release();
    return p;
  }

  private count(window: number, done: boolean): void {
    const c = this.counts.get(window) ?? { arrived: 0, done: 0 };
    c.arrived++;
    if (done) c.done++;
    this.counts.set(window, c);
    if (c.arrived < this.shards) return;
    this.counts.delete(window);
    this.top = window;
    if (c.done === this.shards) this.endWindow = window;
    else if (this.stopWhen?.(window)) {
      this.endWindow = window;
      this.stoppedAfterWindow = window;
    }
  }

  /** Resolves every waiter whose shards have published its window. */
  private release(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      const ready = w.all
        ? this.top >= w.window
        : this.neighbours.into[w.shard].every((j) => this.published[j] >= w.window);
      if (!ready) {
        still.push(w);
        continue;
      }
      const box = this.inbox[w.shard];
      const inbound = (box.get(w.window) ?? []).filter(Boolean);
      box.delete(w.window);
      w.resolve({ inbound, allDone: w.all && this.endWindow === w.window });
    }
    this.waiters = still;
  }
}
