/**
 * Whom a shard waits for after each window, and after which windows it
 * publishes at all: pure rules over sim-core's neighbour relation
 * (shard-neighbours.ts), which the Redis store, the in-memory store and the
 * protocol simulator all follow.
 */
import type { ShardNeighbours } from '@tlbsim/sim-core';
import { isCheckpointWindow } from '../checkpoint.schedule';
import type { BarrierNeed } from '../shard.store';

/**
 * How often, in windows, a shard that shares no host with another publishes
 * when nothing else makes it: often enough that a cancel, a resize or a
 * fencing reaches it within a few tens of milliseconds of compute, rarely
 * enough that its Redis work per window is a small fraction of a publish.
 * A power of two, so the job's checkpoint windows (powers of two below
 * `run.snapshotEveryWindows`) fall on these windows too.
 * @defaultValue 64
 */
export const SYNC_EVERY_WINDOWS = 64;

/** A shard's links, computed once per run: whom it waits for and whose readiness its publishes move. */
export interface ShardLinks {
  from: readonly number[];
  to: readonly { shard: number; from: readonly number[] }[];
  /**
   * The job's sync period in windows ({@link syncEveryWindowsOf}): a resize
   * stops at a window `x` with `(x + 1) % syncEveryWindows === 0`, where every
   * shard publishes.
   */
  syncEveryWindows: number;
}

/**
 * The job's sync period: 1 (every window) if every shard has a neighbour,
 * else {@link SYNC_EVERY_WINDOWS}, capped by the snapshot interval so that a
 * small interval (the protocol simulator's 8) still exercises windows a
 * shard does not publish.
 */
export function syncEveryWindowsOf(neighbours: ShardNeighbours, snapshotEveryWindows: number): number {
  const isolated = neighbours.into.some((into, s) => into.length === 0 && neighbours.outOf[s].length === 0);
  return isolated ? Math.max(1, Math.min(SYNC_EVERY_WINDOWS, snapshotEveryWindows)) : 1;
}

/** The links of `shard` under `neighbours`, for a job snapshotting every `snapshotEveryWindows` windows. */
export function shardLinksOf(neighbours: ShardNeighbours, shard: number, snapshotEveryWindows: number): ShardLinks {
  return {
    from: neighbours.into[shard],
    to: neighbours.outOf[shard].map((s) => ({ shard: s, from: neighbours.into[s] })),
    syncEveryWindows: syncEveryWindowsOf(neighbours, snapshotEveryWindows),
  };
}

/** A shard that no shard sends to and that sends to none: it need not publish every window. */
function isolated(links: ShardLinks): boolean {
  return links.from.length === 0 && links.to.length === 0;
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
  return { all, from: links.from, to: links.to, span: isolated(links), syncEveryWindows: links.syncEveryWindows };
}

/**
 * Whether a shard publishes window `window` (one Redis round trip) or runs
 * on at once. A shard with neighbours publishes every window (they wait for
 * its batches, it for theirs). An isolated shard publishes only where it
 * must: when done, at checkpoint windows (every shard waits there), and at
 * the job's sync windows, where it learns of a cancel, a resize or a fencing;
 * each of its publishes covers every window since its last one
 * (`BarrierNeed.span`). A run ends, stops for a resize or checkpoints only at
 * windows it publishes, so the digest and the report do not depend on it.
 */
export function publishesAt(
  links: ShardLinks | undefined,
  window: number,
  done: boolean,
  snapshotEveryWindows: number,
): boolean {
  if (!links || !isolated(links) || done) return true;
  if ((window + 1) % links.syncEveryWindows === 0) return true;
  return isCheckpointWindow(window + 1, snapshotEveryWindows);
}

/**
 * The window after which every shard stops for a resize requested now: the
 * first sync window past the furthest window any shard published. No shard
 * is beyond it: a shard with neighbours runs at most one window past its
 * last publish, an isolated one at most to its next sync window. lua/publish.lua
 * computes the same.
 */
export function resizeStopAt(furthestPublished: number, syncEveryWindows: number): number {
  const p = syncEveryWindows;
  return Math.ceil((furthestPublished + 2) / p) * p - 1;
}
