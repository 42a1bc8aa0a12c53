/**
 * Whom a shard waits for after each window: a pure rule over sim-core's
 * neighbour relation (shard-neighbours.ts), which the Redis store, the
 * in-memory store and the protocol simulator all follow.
 */
import type { ShardNeighbours } from '@tlbsim/sim-core';
import { isCheckpointWindow } from '../checkpoint.schedule';
import type { BarrierNeed } from '../shard.store';

/** A shard's links, computed once per run: whom it waits for and whose readiness its publishes move. */
export interface ShardLinks {
  from: readonly number[];
  to: readonly { shard: number; from: readonly number[] }[];
}

/** The links of `shard` under `neighbours`. */
export function shardLinksOf(neighbours: ShardNeighbours, shard: number): ShardLinks {
  return {
    from: neighbours.into[shard],
    to: neighbours.outOf[shard].map((s) => ({ shard: s, from: neighbours.into[s] })),
  };
}

/**
 * What a shard waits for after window `window`: its in-neighbours only,
 * except where the whole job decides something and every shard must have
 * published the window: the shard is done (the run ends in the first window
 * every shard is done in) or the window is a checkpoint (and snapshot)
 * window, so shards stay within one checkpoint of each other and a partial
 * report always finds a window every shard checkpointed. Without links
 * (none given), every shard at every window.
 */
export function barrierNeedOf(
  links: ShardLinks | undefined,
  window: number,
  done: boolean,
  snapshotEveryWindows: number,
): BarrierNeed {
  if (!links) return { all: true, from: [], to: [] };
  const all = done || isCheckpointWindow(window + 1, snapshotEveryWindows);
  return { all, from: links.from, to: links.to };
}
