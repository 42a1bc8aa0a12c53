import { repartitionSnapshots, ShardSim } from '@tlbsim/sim-core';
import { dedupeInbound } from './batch.codec';
import type { JobMeta } from './job.repository';
import { emptyTransportStats, TransportStats } from './redis.transport';
import { decodeSnapshot, encodeSnapshot } from './shard-snapshot.codec';
import { ShardStore } from './shard.store';

/** Times a commit is redone when the resize target changes under it, at most. @defaultValue 5 */
export const RESIZE_COMMIT_ATTEMPTS_MAX = 5;

/** Sums transport counts of several shards. */
function sumStats(all: readonly TransportStats[]): TransportStats {
  const out = emptyTransportStats();
  for (const s of all) for (const k of Object.keys(out) as (keyof TransportStats)[]) out[k] += s[k];
  return out;
}

/**
 * Re-partitions a job's snapshots (all taken after one window) into the
 * requested shard count and switches the job to them, on any
 * {@link ShardStore}. Without `target` the job is running and every shard
 * stopped for the resize (the target is the barrier's request); with it the
 * job is waiting in the queue. The digest stays that of an uninterrupted run.
 * @returns `committed`, `finished` (the job ended meanwhile) or `moved`
 * (someone else committed, or no resize is requested any more)
 */
export async function commitResizeOn(
  store: ShardStore,
  meta: JobMeta,
  target?: number,
  eventJson: (e: { type: 'resized'; shards: number; window: number }) => string = JSON.stringify,
): Promise<'committed' | 'finished' | 'moved'> {
  const online = target === undefined;
  for (let attempt = 0; attempt < RESIZE_COMMIT_ATTEMPTS_MAX; attempt++) {
    const want = online ? await store.resizeRequested() : target;
    if (want === null) return 'moved';
    const raw = await store.snapshots(meta.shards);
    // Another run committed meanwhile (two runs of a shard may both count as the last to stop): the
    // snapshots may be a mix of both layouts. Read after them, an unmoved epoch says they are not.
    const now = await store.layout();
    if (!now || now.epoch !== (meta.epoch ?? 0)) return 'moved';
    const missing = raw.findIndex((b) => !b);
    if (missing >= 0) throw new Error(`job ${meta.id}: shard ${missing} has no snapshot to resize from`);
    const stored = raw.map((b) => decodeSnapshot(b!));
    const stopAt = stored[0].sim.window - 1;
    const inbound = (await store.inboundAt(meta.shards, stopAt)).map((entries) => dedupeInbound(entries));
    const sims = repartitionSnapshots(
      meta.config,
      stored.map((s) => s.sim),
      inbound.map((d) => d.batches),
      want,
    );
    const stats = sumStats(stored.map((s) => s.stats));
    stats.duplicatesDropped += inbound.reduce((a, d) => a + d.duplicates, 0);
    const r = await store.commitResize({
      epoch: meta.epoch ?? 0,
      from: meta.shards,
      to: want,
      expect: online ? String(want) : '',
      requeue: online,
      windowsDone: stopAt + 1,
      snapshots: sims.map((sim, i) => encodeSnapshot({ sim, stats: i === 0 ? stats : emptyTransportStats() })),
      checkpoints: sims.map((sim) => JSON.stringify(ShardSim.partialOf(meta.config, sim))),
      eventJson: eventJson({ type: 'resized', shards: want, window: stopAt + 1 }),
    });
    if (r === 'redo') continue;
    return r === 'finished' ? 'finished' : r === 'moved' ? 'moved' : 'committed';
  }
  throw new Error(`job ${meta.id}: the resize target kept changing`);
}
