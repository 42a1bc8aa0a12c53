import { fail } from './assert';
import { SimConfig } from './config';
import { windowNsOf } from './series';
import { Topology } from './topology';
import { VpSchedule } from './vp-schedule';

/**
 * Which shards can send messages to which: the rule every exchange of the
 * shards of a job (in process, over Redis, in the protocol simulator) waits by.
 *
 * Every message of the kernel stays inside one host: a host's kvm, L0 and
 * vCPUs talk to each other, and its partition broadcasts go to the shards
 * holding the host's virtual processors (a vCPU only ever runs on a VP of its
 * host, so it only ever lives on those shards). So shard j can send to shard
 * i only if both hold part of one host: its kvm, its L0 or one of its VPs.
 * The relation is symmetric here; the exchange does not rely on that.
 *
 * How far to wait: a message sent in window k is due no earlier than the
 * start of window k + 1 (the window is the smallest latency, and any latency
 * can apply across shards: kvm's requests, IPIs, hypercalls, broadcasts), so
 * the cross-shard lookahead of every pair that shares a host is one window:
 * shard i runs window k + 1 once each of its in-neighbours has published
 * window k, and never waits for any other shard.
 */
export interface ShardNeighbours {
  /** The job's shard count. */
  readonly shards: number;
  /** Per shard: the shards that can send to it (ascending, never itself). */
  readonly into: readonly (readonly number[])[];
  /** Per shard: the shards it can send to (ascending, never itself). */
  readonly outOf: readonly (readonly number[])[];
}

/** The cross-shard lookahead, in windows, of every pair of shards that share a host (see {@link ShardNeighbours}). */
export const NEIGHBOUR_LOOKAHEAD_WINDOWS = 1;

/** The shards holding part of each host (its kvm, its L0, its VPs), ascending. */
export function hostShardsOf(cfg: SimConfig, shards: number): number[][] {
  const topo = new Topology(cfg);
  const schedule = new VpSchedule(cfg, topo, windowNsOf(cfg));
  const out: number[][] = [];
  for (let h = 0; h < topo.hosts; h++) {
    const set = new Set<number>([
      topo.shardOf(topo.kvmId(h), shards, cfg.run.placement),
      topo.shardOf(topo.l0Id(h), shards, cfg.run.placement),
    ]);
    for (let vp = 0; vp < schedule.vps; vp++) set.add(schedule.vpShard(h, vp, shards));
    out.push([...set].sort((a, b) => a - b));
  }
  return out;
}

/** The neighbour relation of a job's shards under its placement (pure: a function of the scenario and `shards`). */
export function shardNeighboursOf(cfg: SimConfig, shards: number): ShardNeighbours {
  if (!(Number.isInteger(shards) && shards >= 1)) fail(`shards ${shards}`);
  const sets = Array.from({ length: shards }, () => new Set<number>());
  for (const held of hostShardsOf(cfg, shards)) for (const a of held) for (const b of held) if (a !== b) sets[a].add(b);
  const into = sets.map((s) => [...s].sort((a, b) => a - b));
  return { shards, into, outOf: into };
}

/** Every shard a neighbour of every other: the old all-shards barrier, as a relation. */
export function allShardNeighbours(shards: number): ShardNeighbours {
  const into = Array.from({ length: shards }, (_, i) =>
    Array.from({ length: shards }, (_, j) => j).filter((j) => j !== i),
  );
  return { shards, into, outOf: into };
}

/**
 * Throws if shard `shard` sends to a shard that is not one of its
 * out-neighbours: that receiver would not wait for the batch, and the run
 * would depend on timing. A kernel change that routes a message across hosts
 * must change {@link shardNeighboursOf} with it.
 */
export function checkOutbound(n: ShardNeighbours, shard: number, outbound: ReadonlyMap<number, Float64Array>): void {
  for (const [dst, batch] of outbound) {
    if (batch.length === 0 || dst === shard) continue;
    if (!n.outOf[shard].includes(dst))
      fail(`shard ${shard} sent to shard ${dst}, which is not one of its out-neighbours [${n.outOf[shard].join(',')}]`);
  }
}
