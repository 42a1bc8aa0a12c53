import { repartitionSnapshots, ShardSim } from '@tlbsim/sim-core';
import { dedupeInbound } from './batch.codec';
import { EventStreamRepository } from './event-stream.repository';
import { JobMeta, JobRepository } from './job.repository';
import { TlbRedis } from './redis.client';
import { emptyTransportStats, TransportStats } from './redis.transport';
import { RESIZE_COMMIT_LUA, RESIZE_REQUEST_LUA, RESIZE_STOP_LUA } from './resize.scripts';
import { SchedulerRepository } from './scheduler.repository';
import { MAX_SEQ, parseEntries } from './shard-exchange.repository';
import { decodeSnapshot, encodeSnapshot } from './shard-snapshot.codec';

/** What {@link JobResizeService.request} did. */
export type ResizeOutcome = 'requested' | 'applied' | 'unchanged' | 'finished';

/** How long a request waits for the scheduler lock at most. @defaultValue 5000 */
export const RESIZE_LOCK_WAIT_MS = 5000;

/** Sums transport counts of several shards. */
function sumStats(all: readonly TransportStats[]): TransportStats {
  const out = emptyTransportStats();
  for (const s of all) for (const k of Object.keys(out) as (keyof TransportStats)[]) out[k] += s[k];
  return out;
}

/**
 * Changing the shard count of a job (`tlbsim resize`). A running job is
 * asked to stop: at the next window barrier every shard snapshots and
 * stops; the last one to stop re-partitions the snapshots (sim-core's
 * `repartitionSnapshots`) and switches the job to them in one script, and
 * the next admission pass queues the job again with its new shard count
 * (it resumes as soon as that many slots are free). A job not running yet
 * changes at once. The digest is that of an uninterrupted run.
 */
export class JobResizeService {
  constructor(
    private readonly redis: TlbRedis,
    private readonly jobs: JobRepository,
    private readonly events: EventStreamRepository,
    private readonly scheduler: SchedulerRepository,
    /** Runs an admission pass (after a switch, so the job goes back to the queue at once). */
    private readonly tick: () => Promise<unknown>,
  ) {}

  /**
   * Resizes a job to `shards` (already validated). With `explicit`, also
   * the most the scheduler may grow it to. Takes the scheduler lock, so no
   * admission pass admits or requeues the job meanwhile.
   */
  async request(meta: JobMeta, shards: number, explicit = true): Promise<ResizeOutcome> {
    const lock = await this.lock();
    try {
      const [now] = await this.jobs.metas([meta.id]);
      if (!now || (await this.jobs.results([meta.id]))[0]) return 'finished';
      if (explicit) await this.jobs.updateMeta(now.id, { maxShards: shards });
      if (shards === now.shards && now.resizeTo === undefined) return 'unchanged';
      const running = await this.scheduler.running();
      if (running.has(now.id) && !now.requeue) return (await this.signal(now, shards)) ? 'requested' : 'finished';
      if ((now.epoch ?? 0) === 0) {
        // Never started: only its metadata knows its shard count.
        if (!(await this.jobs.updateMeta(now.id, { shards }, ['waitNote']))) return 'finished';
        await this.events.append(now.id, { type: 'resized', shards, window: 0 });
        return 'applied';
      }
      const r = await this.commit(now, shards);
      return r === 'finished' ? 'finished' : 'applied';
    } finally {
      await this.scheduler.unlock(lock);
    }
  }

  /** Asks a running job's shards to stop at the next barrier for a resize to `shards`; false if it is finished. */
  async signal(meta: JobMeta, shards: number): Promise<boolean> {
    const k = this.jobs.keys(meta.id);
    const event = EventStreamRepository.encode({ type: 'resize-requested', shards });
    return (await this.redis.eval(RESIZE_REQUEST_LUA, 4, k.barrier, k.result, k.events, k.meta, shards, event)) === 1;
  }

  /**
   * Records that `shard` (run `token`) snapshotted after window `stopAt` and stopped.
   * @returns the shards stopped so far, or why the stop does not count
   */
  async stopped(
    meta: JobMeta,
    shard: number,
    token: string,
    stopAt: number,
  ): Promise<number | 'finished' | 'superseded' | 'none'> {
    const k = this.jobs.keys(meta.id);
    const r = Number(await this.redis.eval(RESIZE_STOP_LUA, 2, k.barrier, k.result, shard, token, stopAt));
    return r >= 0 ? r : r === -1 ? 'finished' : r === -2 ? 'superseded' : 'none';
  }

  /**
   * Re-partitions the job's snapshots (all taken after one window) into the
   * requested shard count and switches the job to them. Without `target` the
   * job is running and every shard stopped for the resize (the target is the
   * barrier's request); with it the job is waiting in the queue.
   */
  async commit(meta: JobMeta, target?: number): Promise<'committed' | 'finished' | 'moved'> {
    const k = this.jobs.keys(meta.id);
    const online = target === undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const want = online ? await this.redis.hget(k.barrier, 'resize') : String(target);
      if (want === null) return 'moved';
      const shards = Number(want);
      const p = this.redis.pipeline();
      for (let s = 0; s < meta.shards; s++) p.getBuffer(k.snapshot(s));
      const raw = ((await p.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v as Buffer | null;
      });
      const missing = raw.findIndex((b) => !b);
      if (missing >= 0) throw new Error(`job ${meta.id}: shard ${missing} has no snapshot to resize from`);
      const stored = raw.map((b) => decodeSnapshot(b!));
      const stopAt = stored[0].sim.window - 1;
      const inbound = await this.inboundAt(meta, stopAt);
      const sims = repartitionSnapshots(
        meta.config,
        stored.map((s) => s.sim),
        inbound.map((d) => d.batches),
        shards,
      );
      const stats = sumStats(stored.map((s) => s.stats));
      stats.duplicatesDropped += inbound.reduce((a, d) => a + d.duplicates, 0);
      const bytes = sims.map((sim, i) => encodeSnapshot({ sim, stats: i === 0 ? stats : emptyTransportStats() }));
      const checkpoints = sims.map((sim) => JSON.stringify(ShardSim.partialOf(meta.config, sim)));
      const m = Math.max(meta.shards, shards);
      const keys = [k.result, k.meta, k.barrier, k.events, k.checkpoints];
      for (let s = 0; s < m; s++) keys.push(k.snapshot(s));
      for (let s = 0; s < m; s++) keys.push(k.inbound(s));
      const event = EventStreamRepository.encode({ type: 'resized', shards, window: stopAt + 1 });
      const r = Number(
        await this.redis.eval(
          RESIZE_COMMIT_LUA,
          keys.length,
          ...keys,
          meta.epoch ?? 0,
          shards,
          event,
          online ? want : '',
          online ? 1 : 0,
          stopAt + 1,
          ...bytes,
          ...checkpoints,
        ),
      );
      if (r === -3) continue;
      if (r === -1) return 'finished';
      if (r === -2) return 'moved';
      if (online) await this.tick();
      return 'committed';
    }
    throw new Error(`job ${meta.id}: the resize target kept changing`);
  }

  /** The batches delivered to each shard for window `stopAt + 1` (none once a switch deleted them), deduplicated. */
  private async inboundAt(meta: JobMeta, stopAt: number): Promise<{ batches: Float64Array[]; duplicates: number }[]> {
    const k = this.jobs.keys(meta.id);
    const p = this.redis.pipeline();
    for (let s = 0; s < meta.shards; s++) p.xrangeBuffer(k.inbound(s), `${stopAt}-0`, `${stopAt}-${MAX_SEQ}`);
    const res = (await p.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      const d = dedupeInbound(parseEntries(v));
      return { batches: d.batches, duplicates: d.duplicates };
    });
  }

  /** The scheduler lock, waiting for it up to {@link RESIZE_LOCK_WAIT_MS}. */
  private async lock(): Promise<string> {
    const deadline = Date.now() + RESIZE_LOCK_WAIT_MS;
    for (;;) {
      const token = await this.scheduler.lock(5000);
      if (token) return token;
      if (Date.now() > deadline) throw new Error('the scheduler is busy (its lock was held for 5 s); try again');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
