import { fail } from './assert';
import { Carry } from './carry';
import { SimConfig } from './config';
import { C, COUNTER_SLOTS } from './counters';
import { timeCostsOf } from './costs';
import { HostReplicas } from './host-replicas';
import { KvmActor } from './kvm.actor';
import { L0Actor } from './l0.actor';
import { F_DST, F_TIME, F_TYPE, Msg, MSG_WIDTH, Outbox, partitionHostOf } from './message';
import { InboxRoutes } from './inbox-routes';
import { policyFlags } from './policy';
import { Actor, ShardContext } from './shard-context';
import { checkSnapshotLayout, SNAPSHOT_LAYOUT } from './snapshot-layout';
import type { SaveOptions } from './save-options';
import { SERIES_COUNTERS, seriesEveryWindowsOf, windowNsOf } from './series';
import { partialFrom, partialOfSnapshot, type ShardPartial, type ShardSnapshot } from './shard.snapshot';
import { warmupWindowOf } from './warmup';
export { warmupWindowOf } from './warmup';
import { Topology } from './topology';
import { VcpuActor } from './vcpu.actor';
import { collectMigrations, sendMigration } from './vcpu-migration';
import { VpSchedule } from './vp-schedule';

export {
  nominalRunNsOf,
  SERIES_COUNTERS,
  SERIES_POINTS_MAX,
  SERIES_WIDTH,
  seriesEveryWindowsOf,
  windowNsOf,
} from './series';

/** What one window of one shard produced. */
export interface WindowOutput {
  /** The window just run. */
  window: number;
  /** Outgoing messages by destination shard (records of {@link MSG_WIDTH} numbers); this shard's own stay in its carry. */
  outbound: Map<number, Float64Array>;
  /** Every vCPU this shard held during the window finished its workload. */
  done: boolean;
}

/**
 * One shard of a run: kvm and l0 actors, the virtual processors placed here
 * and the vCPUs currently running on them, run window by window. A message
 * sent in window k is delivered in window k+1 or later (every latency is at
 * least the window), to the shard its destination is on when it is due;
 * receivers order messages by (time, src, seq). A vCPU that changes VP moves
 * at a window boundary as messages. So the result is the same for any number
 * of shards and any placement.
 */
export class ShardSim {
  readonly cfg: SimConfig;
  readonly topo: Topology;
  readonly shard: number;
  readonly shards: number;
  readonly windowNs: number;
  private readonly ctx: ShardContext;
  private readonly replicas: HostReplicas;
  private readonly fixed: Actor[] = [];
  private readonly kvms: KvmActor[] = [];
  private readonly vcpus = new Map<number, VcpuActor>();
  /** The next window to run. */
  window = 0;
  /** Delivered messages not due yet (time at or after the last window's end). */
  private readonly carry: Carry;
  /** Time series records so far (see {@link ShardPartial.series}). */
  private series: number[] = [];
  private readonly seriesEvery: number;
  /** The window whose end ends the warm-up (0: none), and the counters copied there. */
  private readonly warmupWindow: number;
  private warmup: number[] | undefined;
  private readonly replicaShardsOf = new Map<number, number[]>();
  /** The window's delivered messages by receiver (reused every window). */
  private readonly routes: InboxRoutes;
  /** Per host: whether this shard replicates its partition state (broadcasts for other hosts are a bug). */
  private readonly replicated: Uint8Array;
  /** Actors in id order, rebuilt only when vCPUs arrive or leave. */
  private order: Actor[] | null = null;
  /** Per outbox message: its destination shard, or -1 for a broadcast (reused every window). */
  private destShard = new Int32Array(1024);

  constructor(cfg: SimConfig, shard: number, shards: number, fresh = true) {
    this.cfg = cfg;
    this.topo = new Topology(cfg);
    if (!(shards >= 1 && shard >= 0 && shard < shards)) fail(`shard ${shard} of ${shards}`);
    this.shard = shard;
    this.shards = shards;
    this.windowNs = windowNsOf(cfg);
    this.carry = new Carry(this.windowNs);
    this.seriesEvery = seriesEveryWindowsOf(cfg);
    this.warmupWindow = warmupWindowOf(cfg);
    this.ctx = {
      cfg,
      topo: this.topo,
      flags: policyFlags(cfg),
      counters: new Float64Array(COUNTER_SLOTS),
      outbox: new Outbox(),
      views: new Map(),
      windowNs: this.windowNs,
      costs: timeCostsOf(cfg),
      partitions: new Map(),
      vps: new Map(),
      schedule: new VpSchedule(cfg, this.topo, this.windowNs),
      window: 0,
      localEvents: null,
    };
    this.replicas = new HostReplicas(this.ctx, shard, shards);
    this.routes = new InboxRoutes(this.topo.actorCount);
    this.replicated = new Uint8Array(this.topo.hosts);
    for (const h of this.replicas.hosts) this.replicated[h] = 1;
    for (let id = 0; id < this.topo.actorCount; id++) {
      const role = this.topo.roleOf(id);
      if (role === 2) {
        if (fresh && this.ctx.schedule.shardOf(id, 0, shards) === shard) this.addVcpu(id);
      } else if (this.topo.shardOf(id, shards, cfg.run.placement) === shard) {
        this.fixed.push(
          role === 0 ? this.kvms[this.kvms.push(new KvmActor(id, this.ctx)) - 1] : new L0Actor(id, this.ctx),
        );
      }
    }
  }

  private addVcpu(id: number, state?: Record<string, unknown>): VcpuActor {
    const v = new VcpuActor(id, this.ctx);
    if (state) v.load(state);
    this.vcpus.set(id, v);
    this.order = null;
    return v;
  }

  /** Actor ids on this shard now. */
  get actorIds(): number[] {
    return [...this.fixed.map((a) => a.id), ...this.vcpus.keys()].sort((a, b) => a - b);
  }

  /**
   * Runs the next window with the messages delivered in it (everything sent
   * to this shard in the previous window, in any order).
   */
  runWindow(inbound: Float64Array[]): WindowOutput {
    const k = this.window;
    const endNs = (k + 1) * this.windowNs;
    this.ctx.window = k;
    const buf = concat([...this.carry.take(k), ...inbound]);
    const routes = this.route(buf, endNs);
    for (const [id, st] of collectMigrations(buf, routes.migrations, endNs)) this.addVcpu(id, st).arrive();
    this.replicas.apply(buf, routes.broadcasts, endNs);
    this.ctx.outbox.clear();
    if (this.ctx.localEvents) this.ctx.localEvents.length = 0;
    this.order ??= [...this.fixed, ...this.vcpus.values()].sort((a, b) => a.id - b.id);
    for (const a of this.order) a.run(buf, routes.of(a.id), endNs);
    let done = true;
    for (const v of this.vcpus.values()) done &&= v.done;
    this.emigrate(k + 1, endNs);
    this.carry.keep(buf, k);
    const outbound = this.partition(endNs);
    // Messages to this shard's own actors stay here, filed like any
    // delivered message not due yet: no copy through the transport (Redis
    // for a distributed job), and snapshots hold them with the carry.
    const own = outbound.get(this.shard);
    if (own) {
      this.carry.keep(own, k);
      outbound.delete(this.shard);
    }
    this.window = k + 1;
    this.ctx.schedule.forgetBefore(k);
    if (this.window % this.seriesEvery === 0) this.sample();
    if (this.window === this.warmupWindow) this.warmup = Array.from(this.ctx.counters);
    return { window: k, outbound, done };
  }

  /**
   * Every message the last window's actors sent, to any destination (a view
   * of the outbox, valid until the next {@link runWindow}): for tracing
   * (`tlbsim run --trace-out`). Reading it changes nothing.
   */
  lastSent(): Float64Array {
    const { buf, count } = this.ctx.outbox;
    return buf.subarray(0, count * MSG_WIDTH);
  }

  /** Records the vCPU-local events of every window from now on ({@link lastLocalEvents}): for a timeline only. */
  traceLocalEvents(): void {
    this.ctx.localEvents ??= [];
  }

  /**
   * The vCPU-local events of the last window (local-events.ts: kind, time in
   * ns, vCPU actor id, flat), empty unless {@link traceLocalEvents} was called.
   */
  lastLocalEvents(): readonly number[] {
    return this.ctx.localEvents ?? [];
  }

  /** vCPUs that run on another VP from window `next` on leave as messages (even to a VP of this shard: one path). */
  private emigrate(next: number, endNs: number): void {
    const sched = this.ctx.schedule;
    if (sched.pinned) return;
    for (const [id, v] of [...this.vcpus]) {
      if (sched.vpOf(id, next) === sched.vpOf(id, next - 1)) continue;
      sendMigration(v, endNs);
      this.vcpus.delete(id);
      this.order = null;
    }
  }

  /** Each local actor's due messages, sorted by (time, src, seq); broadcasts and migrations on their own lists. */
  private route(buf: Float64Array, endNs: number): InboxRoutes {
    const routes = this.routes;
    routes.reset();
    const checkShard = this.shards > 1;
    for (let o = 0; o < buf.length; o += MSG_WIDTH) {
      if (buf[o + F_TIME] >= endNs) continue; // carried: its destination may arrive later
      const dst = buf[o + F_DST];
      if (dst < 0) {
        if (this.replicated[partitionHostOf(dst)] !== 1)
          fail(`shard ${this.shard}: broadcast for host ${partitionHostOf(dst)} not replicated here`);
        routes.broadcasts.push(o);
      } else if (buf[o + F_TYPE] === Msg.VcpuMigrate) {
        routes.migrations.push(o);
      } else {
        if (checkShard && this.shardOfDst(dst, buf[o + F_TIME]) !== this.shard)
          fail(`shard ${this.shard}: message for actor ${dst} not on this shard in window ${this.window}`);
        routes.add(dst, o);
      }
    }
    routes.sort(buf);
    return routes;
  }

  /** Shards holding replicas of host h (those with its VPs), cached. */
  private replicaShards(host: number): number[] {
    let list = this.replicaShardsOf.get(host);
    if (!list) {
      const set = new Set<number>();
      for (let vp = 0; vp < this.ctx.schedule.vps; vp++) set.add(this.ctx.schedule.vpShard(host, vp, this.shards));
      list = [...set].sort((a, b) => a - b);
      this.replicaShardsOf.set(host, list);
    }
    return list;
  }

  /** The shard actor `dst` is on when a message due at `timeNs` arrives (vCPUs follow their VP). */
  private shardOfDst(dst: number, timeNs: number): number {
    if (this.topo.roleOf(dst) !== 2) return this.topo.shardOf(dst, this.shards, this.cfg.run.placement);
    return this.ctx.schedule.shardOf(dst, Math.floor(timeNs / this.windowNs), this.shards);
  }

  /** Splits the outbox by destination shard, checking the lookahead. */
  private partition(endNs: number): Map<number, Float64Array> {
    const { buf, count } = this.ctx.outbox;
    if (this.destShard.length < count) this.destShard = new Int32Array(count * 2);
    const dest = this.destShard;
    const counts = new Int32Array(this.shards);
    for (let i = 0; i < count; i++) {
      const o = i * MSG_WIDTH;
      if (buf[o + F_TIME] < endNs) fail(`lookahead violated: message at ${buf[o + F_TIME]} < window end ${endNs}`);
      const dst = buf[o + F_DST];
      if (dst < 0) {
        dest[i] = -1;
        for (const s of this.replicaShards(partitionHostOf(dst))) counts[s]++;
      } else {
        const s = this.shards === 1 ? 0 : this.shardOfDst(dst, buf[o + F_TIME]);
        dest[i] = s;
        counts[s]++;
      }
    }
    const out = new Map<number, Float64Array>();
    const fill = new Int32Array(this.shards);
    for (let s = 0; s < this.shards; s++) {
      if (counts[s] === 0) continue;
      if (s !== this.shard) this.ctx.counters[C.crossShardMessages] += counts[s];
      // Everything for one shard, in outbox order: one copy.
      // (A view when it is all for this shard: runWindow files it in the carry, which copies.)
      if (counts[s] === count)
        out.set(s, s === this.shard ? buf.subarray(0, count * MSG_WIDTH) : buf.slice(0, count * MSG_WIDTH));
      else out.set(s, new Float64Array(counts[s] * MSG_WIDTH));
    }
    if (out.size === 1 && counts[out.keys().next().value!] === count) return out;
    for (let i = 0; i < count; i++) {
      if (dest[i] >= 0) copyRecord(buf, i, out.get(dest[i])!, fill[dest[i]]++);
      else
        for (const s of this.replicaShards(partitionHostOf(buf[i * MSG_WIDTH + F_DST])))
          copyRecord(buf, i, out.get(s)!, fill[s]++);
    }
    return out;
  }

  /** Bytes held by this shard's replicas of the partitions' shared nested translations, per host. */
  partitionCacheBytesPerHost(): number {
    let total = 0;
    for (const p of this.ctx.partitions.values()) total += p.bytes;
    return this.ctx.partitions.size > 0 ? Math.round(total / this.ctx.partitions.size) : 0;
  }

  /**
   * Bytes the checker holds for this shard's vCPUs: the shared entries each
   * has reported (stale-hit.checker.ts). Unlike the simulated state it grows
   * during a run, with the stale shared entries the vCPUs use, up to
   * `SHARED_REPORTED_BYTES_MAX` bytes per vCPU.
   */
  reportedKeysBytes(): number {
    let total = 0;
    for (const v of this.vcpus.values()) total += v.reported.bytes;
    return total;
  }

  /** One counter of this shard (see counters.ts). */
  counter(slot: number): number {
    return this.ctx.counters[slot];
  }

  private sample(): void {
    this.series.push(this.window);
    for (const slot of SERIES_COUNTERS) this.series.push(this.ctx.counters[slot]);
  }

  /** Counters, witnesses and the time series so far (the series ends at the last window run). */
  partial(): ShardPartial {
    return partialFrom(
      this.window,
      Array.from(this.ctx.counters),
      this.series,
      this.kvms.flatMap((k) => k.witnesses),
      this.warmup,
    );
  }

  /** What {@link partial} of the shard restored from `snap` returns, without restoring it. */
  static partialOf(cfg: SimConfig, snap: ShardSnapshot): ShardPartial {
    return partialOfSnapshot(cfg, snap);
  }

  /**
   * The whole shard state after the last window run. By default every typed
   * array is a copy: the snapshot stays valid for callers that keep it
   * (resize, repartition, tests, the protocol simulator). With `opts.alias`
   * the TLBs, partition caches, VM views, MMU maps and allocator tables are
   * the shard's live arrays: the result is valid only until the shard runs
   * again, so consume it at once, as a synchronous encoding does (the
   * distributed path: it saves a copy of 65 MB for 512 vCPUs that the
   * encoder would copy again).
   */
  snapshot(opts?: SaveOptions): ShardSnapshot {
    const actors = [...this.fixed, ...this.vcpus.values()].sort((a, b) => a.id - b.id);
    return {
      layout: SNAPSHOT_LAYOUT,
      shard: this.shard,
      shards: this.shards,
      window: this.window,
      counters: Array.from(this.ctx.counters),
      carry: this.carry.flat(),
      series: this.series.slice(),
      warmup: this.warmup?.slice(),
      actors: actors.map((a) => [a.id, a.save(opts)]),
      replicas: this.replicas.save(opts),
    };
  }

  /** Rebuilds a shard from {@link snapshot}; it continues with `snap.window`. */
  static restore(cfg: SimConfig, snap: ShardSnapshot): ShardSim {
    checkSnapshotLayout(snap.layout);
    const s = new ShardSim(cfg, snap.shard, snap.shards, false);
    s.window = snap.window;
    s.ctx.window = snap.window;
    s.carry.restore(snap.carry, snap.window);
    s.series = (snap.series ?? []).slice();
    s.warmup = snap.warmup?.slice();
    // vCPU actors first: a new one takes ASIDs from its VP (and may flush it),
    // which the VPs' stored state loaded next undoes; the counters likewise.
    const actors = snap.actors.map(([id, st]) => [s.fixed.find((a) => a.id === id) ?? s.addVcpu(id), st] as const);
    s.replicas.load(snap.replicas);
    s.ctx.counters.set(snap.counters);
    for (const [actor, st] of actors) actor.load(st);
    return s;
  }
}

/** Copies message `i` of `from` to slot `at` of `to`. */
function copyRecord(from: Float64Array, i: number, to: Float64Array, at: number): void {
  const a = i * MSG_WIDTH;
  const b = at * MSG_WIDTH;
  for (let k = 0; k < MSG_WIDTH; k++) to[b + k] = from[a + k];
}

function concat(parts: Float64Array[]): Float64Array {
  parts = parts.filter((p) => p.length > 0);
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
