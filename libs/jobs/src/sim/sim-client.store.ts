import type { InboundEntry } from '../batch.codec';
import { InMemoryShardExchange } from '../in-memory-shard.exchange';
import { InMemoryShardStore } from '../in-memory-shard.store';
import type {
  BarrierNeed,
  BarrierProgress,
  BarrierReply,
  BarrierStatus,
  CompletionKept,
  FencedAppendReply,
  FinishedState,
  JobLayout,
  ResizeCommit,
  ResizeCommitReply,
  ResizeStopReply,
  ShardClaim,
  ShardExchangeStore,
  ShardStore,
  SnapshotReply,
} from '../shard.store';
import { SimClient, SimNetwork } from './sim.network';

/** What the simulator's checker learns at the store as calls are applied. */
export interface StoreWatcher {
  /** A snapshot of `shard` taken after `window` windows was put in place. */
  snapshotStored(shard: number, windows: number): void;
  /** A run of `shard` announced its resume at `window` (its fenced `shard-resumed` event was appended). */
  resumed(shard: number, window: number): void;
}

/** The in-memory store as one client (a worker or the coordinator) reaches it through the {@link SimNetwork}. */
export class SimClientStore implements ShardStore {
  constructor(
    private readonly net: SimNetwork,
    private readonly client: SimClient,
    private readonly watcher: StoreWatcher,
  ) {}

  private get inner(): InMemoryShardStore {
    return this.net.store;
  }

  exchange(shard: number, shards: number): ShardExchangeStore {
    return new SimClientExchange(
      this.net,
      this.client,
      new InMemoryShardExchange(this.inner, shard, shards),
      shard,
      this.watcher,
    );
  }
  layout(): Promise<JobLayout | null> {
    return this.net.call(this.client, () => this.inner.layout());
  }
  finishedState(): Promise<FinishedState | null> {
    return this.net.call(this.client, () => this.inner.finishedState());
  }
  finish(state: FinishedState, fields: Record<string, string>, eventJson: string): Promise<boolean> {
    return this.net.call(this.client, () => this.inner.finish(state, fields, eventJson));
  }
  append(eventJson: string): Promise<boolean> {
    return this.net.call(this.client, () => this.inner.append(eventJson));
  }
  dropTransport(shards: number): Promise<void> {
    return this.net.call(this.client, () => this.inner.dropTransport(shards));
  }
  requestResize(shards: number, eventJson: string): Promise<boolean> {
    return this.net.call(this.client, () => this.inner.requestResize(shards, eventJson));
  }
  resizeRequested(): Promise<number | null> {
    return this.net.call(this.client, () => this.inner.resizeRequested());
  }
  snapshots(shards: number): Promise<(Buffer | null)[]> {
    return this.net.call(this.client, () => this.inner.snapshots(shards));
  }
  inboundAt(shards: number, window: number): Promise<InboundEntry[][]> {
    return this.net.call(this.client, () => this.inner.inboundAt(shards, window));
  }
  commitResize(c: ResizeCommit): Promise<ResizeCommitReply> {
    return this.net.call(this.client, () => this.inner.commitResize(c));
  }
  partials(): Promise<Map<number, string>> {
    return this.net.call(this.client, () => this.inner.partials());
  }
  checkpoints(): Promise<Map<string, string>> {
    return this.net.call(this.client, () => this.inner.checkpoints());
  }
  events(): Promise<string[]> {
    return this.net.call(this.client, () => this.inner.events());
  }
}

/** One shard run's calls through the {@link SimNetwork}. */
export class SimClientExchange implements ShardExchangeStore {
  constructor(
    private readonly net: SimNetwork,
    private readonly client: SimClient,
    private readonly inner: InMemoryShardExchange,
    private readonly shard: number,
    private readonly watcher: StoreWatcher,
  ) {}

  get roundTrips(): number {
    return this.inner.roundTrips;
  }
  claim(): Promise<ShardClaim | null> {
    return this.net.call(this.client, () => this.inner.claim());
  }
  publish(
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
    token: string,
    need?: BarrierNeed,
  ): Promise<BarrierReply> {
    return this.net.call(this.client, () => this.inner.publish(window, outbound, done, token, need));
  }
  wait(window: number, blockMs: number, need?: BarrierNeed): Promise<BarrierReply> {
    return this.net.callBlocking(this.client, () => this.inner.look(window, need), blockMs);
  }
  barrierProgress(window: number, need?: BarrierNeed): Promise<BarrierProgress> {
    return this.net.call(this.client, () => this.inner.barrierProgress(window, need));
  }
  inboundOf(window: number): Promise<InboundEntry[]> {
    return this.net.call(this.client, () => this.inner.inboundOf(window));
  }
  saveSnapshot(bytes: Buffer, keepFrom: number, token: string, base?: Buffer | null): Promise<SnapshotReply> {
    return this.net.call(
      this.client,
      () => this.inner.saveSnapshot(bytes, keepFrom, token, base),
      (r) => {
        if (r === 'passed') this.watcher.snapshotStored(this.shard, keepFrom + 1);
      },
    );
  }
  saveCheckpoint(windowsDone: number, json: string, drop: readonly string[]): Promise<BarrierStatus> {
    return this.net.call(this.client, () => this.inner.saveCheckpoint(windowsDone, json, drop));
  }
  complete(json: string, token: string): Promise<number | BarrierStatus> {
    return this.net.call(this.client, () => this.inner.complete(json, token));
  }
  stopForResize(token: string, stopAt: number): Promise<ResizeStopReply> {
    return this.net.call(this.client, () => this.inner.stopForResize(token, stopAt));
  }
  appendProgress(eventJson: string, token: string): Promise<FencedAppendReply> {
    return this.net.call(
      this.client,
      () => this.inner.appendProgress(eventJson, token),
      (r) => {
        const e = JSON.parse(eventJson) as { type: string; window?: number };
        if (r === 'appended' && e.type === 'shard-resumed') this.watcher.resumed(this.shard, e.window ?? 0);
      },
    );
  }
  latestToken(): Promise<number> {
    return this.net.call(this.client, () => this.inner.latestToken());
  }

  completionKept(): Promise<CompletionKept> {
    return this.net.call(this.client, () => this.inner.completionKept());
  }
}
