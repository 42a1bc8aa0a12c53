/**
 * The resize benchmark (part of the distributed one): a job started on 2
 * shards and resized to 4 a quarter of the way in (by accesses), on 2 worker processes
 * with 2 slots each. Reports the time lost to the resize: from the request
 * to the switch (the next window barrier, every shard's snapshot, the
 * re-partitioning) and from the switch until every new shard resumed (the
 * admission pass, BullMQ, the restore).
 */
import type { JobEvent } from '@tlbsim/contracts';
import { createJobsService } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import { startBenchWorkers } from './bench.workers';

/** What one resized run measured. */
export interface ResizeRun {
  from: number;
  to: number;
  /** The window the new shards started at. */
  resizedAtWindow: number;
  windows: number;
  wallSec: number;
  /** Request to switch: waiting for the next barrier, snapshots, re-partitioning. */
  stopMs: number;
  /** Switch to every new shard resumed: admission, BullMQ, restore. */
  restartMs: number;
  /** stopMs + restartMs: the time lost (an upper bound: the shards still ran up to one window meanwhile). */
  lostMs: number;
  digest: string;
}

function at(e: JobEvent | undefined, what: string): number {
  if (!e) throw new Error(`resize bench: no ${what} event`);
  return Date.parse(e.at);
}

/** Runs `cfg` on `from` shards, resizes it to `to` once a quarter of its windows are done, and times the resize. */
export async function measureResize(url: string, cfg: SimConfig, prefix: string, from = 2, to = 4): Promise<ResizeRun> {
  const procs = startBenchWorkers(url, prefix, 2, Math.ceil(Math.max(from, to) / 2));
  const jobs = createJobsService({ redisUrl: url, prefix });
  try {
    for (let i = 0; i < 100 && (await jobs.workers()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    const { id } = await jobs.submit(cfg, { shards: from });
    const deadline = Date.now() + 600000;
    for (;;) {
      const v = (await jobs.get(id))!;
      if (v.state === 'completed' || v.state === 'failed')
        throw new Error(`resize bench: job ${id} ${v.state} before the resize; raise the accesses`);
      if (v.progress.fraction >= 0.25) break;
      if (Date.now() > deadline)
        throw new Error(`resize bench: job ${id} did not get a quarter of the way in 10 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await jobs.resize(id, to);
    const view = await jobs.waitFor(id, undefined, { timeoutMs: 600000 });
    const wallSec = (performance.now() - t0) / 1000;
    if (view.state !== 'completed' || !view.digest)
      throw new Error(`resize bench: job ${id} ${view.state}: ${view.error ?? ''}`);
    const events = await jobs.readEvents(id, null, 0, 1000000);
    const requested = events.find((e) => e.type === 'resize-requested');
    const resized = events.find((e) => e.type === 'resized');
    const resumed = events.slice(events.indexOf(resized!)).filter((e) => e.type === 'shard-resumed');
    const stopMs = at(resized, 'resized') - at(requested, 'resize-requested');
    const restartMs = Math.max(...resumed.map((e) => at(e, 'shard-resumed'))) - at(resized, 'resized');
    return {
      from,
      to,
      resizedAtWindow: resized!.window ?? 0,
      windows: view.progress.windows,
      wallSec,
      stopMs,
      restartMs,
      lostMs: stopMs + restartMs,
      digest: view.digest,
    };
  } finally {
    await jobs.close();
    await Promise.all(procs.map((p) => p.stop()));
  }
}
