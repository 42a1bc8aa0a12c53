import { SimConfig } from './config';
import { C, COUNTER_SLOTS } from './counters';
import { KvmActor } from './kvm.actor';
import { L0Actor } from './l0.actor';
import { compareMsg, F_DST, F_P0, F_TIME, F_TYPE, Msg, MSG_WIDTH, Outbox, partitionHostOf } from './message';
import { PartitionCache } from './partition-cache';
import { policyFlags } from './policy';
import { Actor, ShardContext } from './shard-context';
import { Topology } from './topology';
import { VcpuActor } from './vcpu.actor';
import type { WitnessRecord } from './violation.checker';
import { VmView } from './vm-view';

/** What one window of one shard produced. */
export interface WindowOutput {
  /** The window just run. */
  window: number;
  /** Outgoing messages by destination shard (records of {@link MSG_WIDTH} numbers). */
  outbound: Map<number, Float64Array>;
  /** Every vCPU of this shard finished its workload. */
  done: boolean;
}

/** Mergeable per-shard results. */
export interface ShardPartial {
  counters: number[];
  witnesses: WitnessRecord[];
  /**
   * Cumulative counters over simulated time: flat records of
   * [windowsDone, ...SERIES_COUNTERS values], every {@link seriesEveryWindowsOf}
   * windows plus the last window. Same windows on every shard, so shards sum.
   */
  series: number[];
}

/** At most about this many points in a run's time series. */
export const SERIES_POINTS_MAX = 200;

/** Counters sampled into the time series (see {@link ShardPartial.series}), in order. */
export const SERIES_COUNTERS = [
  C.accesses, C.tlbHits, C.tlbMisses, C.nestedWalks, C.hvFlushSpace, C.hvFlushList, C.shootdownMessages,
  C.violationsCrossVm, C.violationsUseAfterFree, C.violationsStaleMapping, C.violationsStaleRoot,
] as const;

/** Numbers per series record: the window, then {@link SERIES_COUNTERS}. */
export const SERIES_WIDTH = 1 + SERIES_COUNTERS.length;

/** Windows between two series points: the nominal run split into {@link SERIES_POINTS_MAX}. */
export function seriesEveryWindowsOf(cfg: SimConfig): number {
  const nominal = Math.ceil((cfg.workload.accessesPerVcpu * cfg.workload.accessIntervalNs) / windowNsOf(cfg));
  return Math.max(1, Math.ceil(nominal / SERIES_POINTS_MAX));
}

/** A shard's whole state, structured-clone friendly (typed arrays, Maps). */
export interface ShardSnapshot {
  shard: number;
  shards: number;
  window: number;
  counters: number[];
  /** Delivered messages not due yet. */
  carry: Float64Array;
  /** Time series records so far. */
  series: number[];
  actors: [number, Record<string, unknown>][];
  views: [number, { map: Int32Array; seq: Uint16Array }][];
  /** Replicas of the hosts' shared nested translations. */
  partitions?: [number, Record<string, unknown>][];
}

const EMPTY: number[] = [];

/** Key of the partition updates in the per-actor routing map (no actor has a negative id). */
const PARTITION_KEY = -1;

/**
 * One shard of a run: a subset of the actors, run window by window. A
 * message sent in window k is delivered in window k+1 (every latency is at
 * least the window), and receivers order messages by (time, src, seq), so
 * the result is the same for any number of shards and any placement.
 */
export class ShardSim {
  readonly cfg: SimConfig;
  readonly topo: Topology;
  readonly shard: number;
  readonly shards: number;
  readonly windowNs: number;
  private readonly ctx: ShardContext;
  private readonly actors: Actor[] = [];
  private readonly byId = new Map<number, Actor>();
  private readonly vcpus: VcpuActor[] = [];
  private readonly kvms: KvmActor[] = [];
  /** The next window to run. */
  window = 0;
  /** Delivered messages not due yet (time at or after the last window's end). */
  private carry: Float64Array = new Float64Array(0);
  /** Time series records so far (see {@link ShardPartial.series}). */
  private series: number[] = [];
  private readonly seriesEvery: number;
  private readonly replicas = new Map<number, number[]>();

  constructor(cfg: SimConfig, shard: number, shards: number) {
    this.cfg = cfg;
    this.topo = new Topology(cfg);
    if (!(shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`shard ${shard} of ${shards}`);
    this.shard = shard;
    this.shards = shards;
    this.windowNs = windowNsOf(cfg);
    this.seriesEvery = seriesEveryWindowsOf(cfg);
    this.ctx = {
      cfg, topo: this.topo, flags: policyFlags(cfg), counters: new Float64Array(COUNTER_SLOTS),
      outbox: new Outbox(), views: new Map(), windowNs: this.windowNs, partitions: new Map(),
    };
    for (let id = 0; id < this.topo.actorCount; id++) {
      if (this.topo.shardOf(id, shards, cfg.run.placement) === shard) this.addActor(id);
    }
  }

  private addActor(id: number): void {
    const role = this.topo.roleOf(id);
    let actor: Actor;
    if (role === 0) actor = this.kvms[this.kvms.push(new KvmActor(id, this.ctx)) - 1];
    else if (role === 1) actor = new L0Actor(id, this.ctx);
    else {
      const host = this.topo.hostOf(id);
      const vm = Math.floor(this.topo.hostVcpuIndex(id) / this.topo.vcpusPerVm);
      const g = this.topo.globalVm(host, vm);
      if (!this.ctx.views.has(g)) {
        this.ctx.views.set(g, new VmView(this.topo.footprintPages, vm * this.topo.footprintPages));
      }
      if (this.ctx.flags.sharedNested && !this.ctx.partitions.has(host)) {
        this.ctx.partitions.set(host, new PartitionCache(host, this.cfg.tlb.nestedCacheEntries, this.topo.vcpuId(host, 0, 0)));
      }
      actor = this.vcpus[this.vcpus.push(new VcpuActor(id, this.ctx)) - 1];
    }
    this.actors.push(actor);
    this.byId.set(id, actor);
  }

  /** Actor ids on this shard. */
  get actorIds(): number[] {
    return this.actors.map((a) => a.id);
  }

  /**
   * Runs the next window with the messages delivered in it (everything sent
   * to this shard's actors in the previous window, in any order).
   */
  runWindow(inbound: Float64Array[]): WindowOutput {
    const k = this.window;
    const endNs = (k + 1) * this.windowNs;
    const buf = concat([this.carry, ...inbound]);
    const perActor = this.route(buf);
    this.applyRemaps(buf, perActor, endNs);
    this.applyPartitionUpdates(buf, perActor.get(PARTITION_KEY), endNs);
    perActor.delete(PARTITION_KEY);
    this.ctx.outbox.clear();
    for (const a of this.actors) a.run(buf, perActor.get(a.id) ?? EMPTY, endNs);
    this.carry = notYetDue(buf, endNs);
    const outbound = this.partition(endNs);
    this.window = k + 1;
    if (this.window % this.seriesEvery === 0) this.sample();
    return { window: k, outbound, done: this.vcpus.every((v) => v.done) };
  }

  /** Offsets of each local actor's messages, sorted by (time, src, seq). */
  private route(buf: Float64Array): Map<number, number[]> {
    const per = new Map<number, number[]>();
    for (let o = 0; o < buf.length; o += MSG_WIDTH) {
      let dst = buf[o + F_DST];
      if (dst < 0) {
        if (!this.ctx.partitions.has(partitionHostOf(dst))) throw new Error(`shard ${this.shard}: partition message for host ${partitionHostOf(dst)} not replicated here`);
        dst = PARTITION_KEY;
      } else if (!this.byId.has(dst)) throw new Error(`shard ${this.shard}: message for actor ${dst} not on this shard`);
      let list = per.get(dst);
      if (!list) per.set(dst, (list = []));
      list.push(o);
    }
    for (const list of per.values()) if (list.length > 1) list.sort((a, b) => compareMsg(buf, a, buf, b));
    return per;
  }

  /** Applies this window's Remap messages to the VM views before any actor runs. */
  private applyRemaps(buf: Float64Array, perActor: Map<number, number[]>, endNs: number): void {
    for (const v of this.vcpus) {
      for (const o of perActor.get(v.id) ?? EMPTY) {
        if (buf[o + F_TYPE] !== Msg.Remap || buf[o + F_TIME] >= endNs) continue;
        const p = o + F_P0;
        const view = this.ctx.views.get(this.topo.globalVm(v.host, buf[p]))!;
        const seq = buf[p + 1];
        const g = buf[p + 2];
        for (let i = 0; i < buf[p + 3]; i++) {
          view.map[g + i] = buf[p + 4 + i];
          view.seq[g + i] = seq;
        }
      }
    }
  }

  /**
   * Applies this window's updates of the partitions' shared nested
   * translations (fills and flushes, in (time, src, seq) order) before any
   * actor runs; every replica does the same at the same window.
   */
  private applyPartitionUpdates(buf: Float64Array, list: number[] | undefined, endNs: number): void {
    if (!list) return;
    for (const o of list) {
      if (buf[o + F_TIME] >= endNs) continue;
      this.ctx.partitions.get(partitionHostOf(buf[o + F_DST]))!.apply(buf, o);
    }
  }

  /** Shards holding a replica of host h's partition state (those with its vCPUs), cached. */
  private replicaShards(host: number): number[] {
    let list = this.replicas.get(host);
    if (!list) {
      const set = new Set<number>();
      for (let v = 0; v < this.topo.vcpusPerHost; v++) {
        set.add(this.topo.shardOf(this.topo.kvmId(host) + 2 + v, this.shards, this.cfg.run.placement));
      }
      list = [...set].sort((a, b) => a - b);
      this.replicas.set(host, list);
    }
    return list;
  }

  /** Splits the outbox by destination shard, checking the lookahead. */
  private partition(endNs: number): Map<number, Float64Array> {
    const { buf, count } = this.ctx.outbox;
    const counts = new Map<number, number>();
    const dests: number[][] = new Array(count);
    for (let i = 0; i < count; i++) {
      const o = i * MSG_WIDTH;
      if (buf[o + F_TIME] < endNs) throw new Error(`lookahead violated: message at ${buf[o + F_TIME]} < window end ${endNs}`);
      const dst = buf[o + F_DST];
      const shards = dst < 0 ? this.replicaShards(partitionHostOf(dst)) : [this.topo.shardOf(dst, this.shards, this.cfg.run.placement)];
      dests[i] = shards;
      for (const s of shards) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    const out = new Map<number, Float64Array>();
    const fill = new Map<number, number>();
    for (const [s, n] of counts) { out.set(s, new Float64Array(n * MSG_WIDTH)); fill.set(s, 0); }
    for (let i = 0; i < count; i++) {
      for (const s of dests[i]) {
        const at = fill.get(s)!;
        out.get(s)!.set(buf.subarray(i * MSG_WIDTH, (i + 1) * MSG_WIDTH), at);
        fill.set(s, at + MSG_WIDTH);
        if (s !== this.shard) this.ctx.counters[C.crossShardMessages]++;
      }
    }
    return out;
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
    const series = this.series.slice();
    if (series.length === 0 || series[series.length - SERIES_WIDTH] !== this.window) {
      series.push(this.window);
      for (const slot of SERIES_COUNTERS) series.push(this.ctx.counters[slot]);
    }
    return { counters: Array.from(this.ctx.counters), witnesses: this.kvms.flatMap((k) => k.witnesses.map((w) => ({ ...w }))), series };
  }

  /** The whole shard state after the last window run. */
  snapshot(): ShardSnapshot {
    return {
      shard: this.shard, shards: this.shards, window: this.window, counters: Array.from(this.ctx.counters),
      carry: this.carry.slice(),
      series: this.series.slice(),
      actors: this.actors.map((a) => [a.id, a.save()]),
      views: [...this.ctx.views.entries()].map(([g, v]) => [g, { map: v.map.slice(), seq: v.seq.slice() }]),
      partitions: [...this.ctx.partitions.entries()].map(([h, p]) => [h, p.save()]),
    };
  }

  /** Rebuilds a shard from {@link snapshot}; it continues with `snap.window`. */
  static restore(cfg: SimConfig, snap: ShardSnapshot): ShardSim {
    const s = new ShardSim(cfg, snap.shard, snap.shards);
    s.window = snap.window;
    s.carry = snap.carry.slice();
    s.series = (snap.series ?? []).slice();
    s.ctx.counters.set(snap.counters);
    for (const [id, st] of snap.actors) s.byId.get(id)!.load(st);
    for (const [g, v] of snap.views) { s.ctx.views.get(g)!.map.set(v.map); s.ctx.views.get(g)!.seq.set(v.seq); }
    for (const [h, p] of snap.partitions ?? []) s.ctx.partitions.get(h)!.load(p);
    return s;
  }
}

/** The window length of a scenario: `run.windowNs`, or the smallest latency. */
export function windowNsOf(cfg: SimConfig): number {
  const l = cfg.latency;
  const lookahead = Math.min(l.ipiNs, l.hypercallNs, l.kvmRequestNs);
  const w = cfg.run.windowNs > 0 ? cfg.run.windowNs : lookahead;
  if (w > lookahead) throw new Error(`run.windowNs ${w} exceeds the lookahead ${lookahead}`);
  return w;
}

/** The messages of `buf` due at or after `endNs`, in their order. */
function notYetDue(buf: Float64Array, endNs: number): Float64Array {
  let n = 0;
  for (let o = 0; o < buf.length; o += MSG_WIDTH) if (buf[o + F_TIME] >= endNs) n++;
  const out = new Float64Array(n * MSG_WIDTH);
  let at = 0;
  for (let o = 0; o < buf.length; o += MSG_WIDTH) {
    if (buf[o + F_TIME] >= endNs) { out.set(buf.subarray(o, o + MSG_WIDTH), at); at += MSG_WIDTH; }
  }
  return out;
}

function concat(parts: Float64Array[]): Float64Array {
  parts = parts.filter((p) => p.length > 0);
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
