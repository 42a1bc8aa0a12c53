import { SimConfig } from './config';
import { F_DST, F_SEQ, F_SRC, F_TIME, MSG_WIDTH, partitionHostOf } from './message';
import { SERIES_WIDTH, windowNsOf } from './series';
import type { ShardSnapshot } from './shard.snapshot';
import { checkSnapshotLayout, SNAPSHOT_LAYOUT } from './snapshot-layout';
import { Topology } from './topology';
import { VpSchedule } from './vp-schedule';

type Entries = [number, unknown][];

/**
 * Re-partitions a job's shard snapshots, all taken after the same window,
 * into `shards` snapshots: what a running job needs to continue on another
 * number of shards (`tlbsim resize`). Every actor, VP and host replica goes
 * where a job of `shards` shards would hold it at that window; the messages
 * in flight (each old shard's carry plus `inbound[i]`, the batches delivered
 * to old shard i for the next window) are deduplicated by (src, seq) and
 * routed as that job would have routed them; the counters and time series
 * (which only ever sum over shards) go to shard 0. The new snapshots carry
 * every message, so they resume with no inbound. Since the kernel's result
 * does not depend on the shard count, the run continues to the digest of an
 * uninterrupted one.
 */
export function repartitionSnapshots(
  cfg: SimConfig,
  snaps: readonly ShardSnapshot[],
  inbound: readonly (readonly Float64Array[])[],
  shards: number,
): ShardSnapshot[] {
  const old = checkSnapshots(snaps, shards);
  const window = old[0].window;
  const topo = new Topology(cfg);
  const windowNs = windowNsOf(cfg);
  const schedule = new VpSchedule(cfg, topo, windowNs);
  const placement = cfg.run.placement;
  const shardOfDst = (dst: number, timeNs: number): number =>
    topo.roleOf(dst) === 2
      ? schedule.shardOf(dst, Math.floor(timeNs / windowNs), shards)
      : topo.shardOf(dst, shards, placement);

  const out: ShardSnapshot[] = Array.from({ length: shards }, (_, shard) => ({
    layout: SNAPSHOT_LAYOUT,
    shard,
    shards,
    window,
    counters: new Array<number>(old[0].counters.length).fill(0),
    carry: new Float64Array(0),
    series: [],
    actors: [],
    replicas: { vps: [], views: [], partitions: [] },
  }));
  out[0].counters = sumCounters(old);
  out[0].series = sumSeries(old.map((s) => s.series ?? []));
  // The warm-up copy sums like the counters: whole on shard 0, zeros elsewhere.
  if (old.every((s) => s.warmup)) {
    for (const s of out) s.warmup = new Array<number>(old[0].counters.length).fill(0);
    out[0].warmup = sumCounters(old.map((s) => ({ ...s, counters: s.warmup! })));
  }

  for (const snap of old) {
    for (const [id, state] of snap.actors) out[shardOfDst(id, window * windowNs)].actors.push([id, state]);
  }
  for (const s of out) s.actors.sort((a, b) => a[0] - b[0]);

  const replicaShards = (host: number): number[] => {
    const set = new Set<number>();
    for (let vp = 0; vp < schedule.vps; vp++) set.add(schedule.vpShard(host, vp, shards));
    return [...set];
  };
  placeReplicas(old, out, topo, schedule, replicaShards);
  routeMessages(old, inbound, out, (buf, o) => {
    const dst = buf[o + F_DST];
    return dst < 0 ? replicaShards(partitionHostOf(dst)) : [shardOfDst(dst, buf[o + F_TIME])];
  });
  return out;
}

/** The snapshots in shard order, checked to be one job's full set at one window. */
function checkSnapshots(snaps: readonly ShardSnapshot[], shards: number): ShardSnapshot[] {
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`repartition: shards must be a positive integer, got ${shards}`);
  if (snaps.length === 0) throw new Error('repartition: no snapshots');
  for (const s of snaps) checkSnapshotLayout(s.layout);
  const old = [...snaps].sort((a, b) => a.shard - b.shard);
  old.forEach((s, i) => {
    if (s.shard !== i || s.shards !== old.length)
      throw new Error(`repartition: snapshot of shard ${s.shard}/${s.shards} in a set of ${old.length}`);
    if (s.window !== old[0].window)
      throw new Error(`repartition: shard ${i} is at window ${s.window}, shard 0 at ${old[0].window}`);
  });
  return old;
}

function sumCounters(old: readonly ShardSnapshot[]): number[] {
  const sum = new Array<number>(old[0].counters.length).fill(0);
  for (const s of old)
    s.counters.forEach((v, i) => {
      sum[i] += v;
    });
  return sum;
}

/** Sums the shards' series records window by window (every shard samples the same windows). */
function sumSeries(all: readonly number[][]): number[] {
  const byWindow = new Map<number, number[]>();
  for (const series of all) {
    for (let o = 0; o + SERIES_WIDTH <= series.length; o += SERIES_WIDTH) {
      const acc = byWindow.get(series[o]) ?? new Array<number>(SERIES_WIDTH - 1).fill(0);
      for (let i = 1; i < SERIES_WIDTH; i++) acc[i - 1] += series[o + i];
      byWindow.set(series[o], acc);
    }
  }
  return [...byWindow.keys()].sort((a, b) => a - b).flatMap((w) => [w, ...byWindow.get(w)!]);
}

/** VPs go with their slot's new shard; VM views and partition replicas to every shard holding one of the host's VPs. */
function placeReplicas(
  old: readonly ShardSnapshot[],
  out: ShardSnapshot[],
  topo: Topology,
  schedule: VpSchedule,
  replicaShards: (host: number) => number[],
): void {
  const vps = new Map<number, unknown>();
  const views = new Map<number, unknown>();
  const partitions = new Map<number, unknown>();
  for (const s of old) {
    const r = s.replicas as { vps: Entries; views: Entries; partitions: Entries };
    for (const [k, v] of r.vps) vps.set(k, v);
    // Replicas of one host are equal on every shard at a window boundary: keep the first.
    for (const [k, v] of r.views) if (!views.has(k)) views.set(k, v);
    for (const [k, v] of r.partitions) if (!partitions.has(k)) partitions.set(k, v);
  }
  const replicas = out.map((s) => s.replicas as { vps: Entries; views: Entries; partitions: Entries });
  for (let h = 0; h < topo.hosts; h++) {
    for (let vp = 0; vp < schedule.vps; vp++) {
      const slot = schedule.vpSlot(h, vp);
      if (!vps.has(slot)) throw new Error(`repartition: no snapshot holds VP ${vp} of host ${h}`);
      replicas[schedule.vpShard(h, vp, out.length)].vps.push([slot, vps.get(slot)]);
    }
    for (const shard of replicaShards(h).sort((a, b) => a - b)) {
      for (let vm = 0; vm < topo.vmsPerHost; vm++)
        replicas[shard].views.push([topo.globalVm(h, vm), views.get(topo.globalVm(h, vm))]);
      if (partitions.has(h)) replicas[shard].partitions.push([h, partitions.get(h)]);
    }
  }
}

/** Every message in flight once (broadcast copies share their id), to each shard `destinations` names. */
function routeMessages(
  old: readonly ShardSnapshot[],
  inbound: readonly (readonly Float64Array[])[],
  out: ShardSnapshot[],
  destinations: (buf: Float64Array, o: number) => number[],
): void {
  const seen = new Set<string>();
  const per: number[][] = out.map(() => []);
  const take = (buf: Float64Array): void => {
    for (let o = 0; o + MSG_WIDTH <= buf.length; o += MSG_WIDTH) {
      const id = `${buf[o + F_SRC]}:${buf[o + F_SEQ]}`;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const s of destinations(buf, o)) for (let i = 0; i < MSG_WIDTH; i++) per[s].push(buf[o + i]);
    }
  };
  old.forEach((s, i) => {
    take(s.carry);
    for (const b of inbound[i] ?? []) take(b);
  });
  out.forEach((s, i) => {
    s.carry = Float64Array.from(per[i]);
  });
}
