/**
 * What a shard hands out besides its windows' messages: its mergeable
 * results ({@link ShardPartial}) and its whole state ({@link ShardSnapshot}),
 * and the pure functions that build a partial, from a live shard or from a
 * snapshot. Apart from shard.ts because none of it runs per window: it is
 * read at checkpoints, at the end of a run and by resize, and it is the
 * shape the engine, the transport and the repartitioner agree on.
 */
import { SimConfig } from './config';
import { SERIES_COUNTERS, SERIES_WIDTH } from './series';
import { Topology } from './topology';
import type { WitnessRecord } from './violation.checker';

/** Mergeable per-shard results. */
export interface ShardPartial {
  counters: number[];
  witnesses: WitnessRecord[];
  /**
   * Cumulative counters over simulated time: flat records of
   * [windowsDone, ...SERIES_COUNTERS values], every `seriesEveryWindowsOf`
   * windows plus the last window. Same windows on every shard, so shards sum.
   */
  series: number[];
  /**
   * The counters at the end of the warm-up window (`warmupWindowOf`), once
   * the run got there: cost figures subtract them. Not in the digest.
   */
  warmup?: number[];
}

/** A shard's whole state, structured-clone friendly (typed arrays, Maps). */
export interface ShardSnapshot {
  /** `SNAPSHOT_LAYOUT` (snapshot-layout.ts) of the build that wrote it (absent before layouts were recorded). */
  layout?: number;
  shard: number;
  shards: number;
  window: number;
  counters: number[];
  /** Delivered messages not due yet. */
  carry: Float64Array;
  /** Time series records so far. */
  series: number[];
  /** {@link ShardPartial.warmup}, once taken. */
  warmup?: number[];
  /** kvm, l0 and the vCPUs on this shard now. */
  actors: [number, Record<string, unknown>][];
  /** VPs, VM views and partition replicas. */
  replicas: Record<string, unknown>;
}

/**
 * What `ShardSim.partial` of the shard restored from `snap` returns, without
 * restoring it (the body of `ShardSim.partialOf`): the witnesses are the kvm
 * actors' checkers' ones.
 */
export function partialOfSnapshot(cfg: SimConfig, snap: ShardSnapshot): ShardPartial {
  const topo = new Topology(cfg);
  const witnesses = snap.actors
    .filter(([id]) => topo.roleOf(id) === 0)
    .flatMap(([, st]) => (st.checker as { witnesses: WitnessRecord[] }).witnesses);
  return partialFrom(snap.window, snap.counters.slice(), snap.series ?? [], witnesses, snap.warmup);
}

/** A {@link ShardPartial}: the series gets a last record at `window` unless it has one. */
export function partialFrom(
  window: number,
  counters: number[],
  series: readonly number[],
  witnesses: readonly WitnessRecord[],
  warmup: readonly number[] | undefined,
): ShardPartial {
  const out = series.slice();
  if (out.length === 0 || out[out.length - SERIES_WIDTH] !== window) {
    out.push(window);
    for (const slot of SERIES_COUNTERS) out.push(counters[slot]);
  }
  const partial: ShardPartial = { counters, witnesses: witnesses.map((w) => ({ ...w })), series: out };
  if (warmup) partial.warmup = warmup.slice();
  return partial;
}
