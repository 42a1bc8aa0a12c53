import { actorsOf } from '@tlbsim/contracts';
import { planAdmission, WaitingJob } from './admission.plan';
import { EventStreamRepository } from './event-stream.repository';
import { JobResizeService } from './job-resize.service';
import { WORKER_ALIVE_MS } from './jobs.constants';
import { JobMeta, JobRepository } from './job.repository';
import { growTarget } from './protocol/resize.protocol';
import { SchedulerRepository } from './scheduler.repository';
import { ShardQueueRepository } from './shard-queue.repository';
import { WorkerRegistryRepository } from './worker-registry.repository';

/** What one scheduling pass did. */
export interface TickResult {
  admitted: string[];
  waiting: string[];
  capacity: number;
  reserved: number;
}

/**
 * Gang admission. The shards of a job barrier every window, so they must
 * all run at once: enqueueing a job whose shards do not fit would leave
 * some of them holding slots while they wait for the others, possibly
 * forever (two half-started jobs deadlock). So jobs wait in a FIFO and are
 * admitted, all shards together, only when the live workers' capacity
 * minus the slots of admitted jobs fits them (or, with `run.minShards`, at
 * least that many). A job that does not fit shows `waiting-for-workers`
 * with how many slots it needs. Smaller later jobs backfill slots a waiting
 * job cannot use, within the bound of {@link planAdmission}. When no job
 * waits, free slots grow jobs that started with fewer shards than
 * `run.shards` (a resize). Jobs switched to a new shard count by a resize
 * go back to the queue here, keeping their place (their submission time).
 */
export class SchedulerService {
  constructor(
    private readonly scheduler: SchedulerRepository,
    private readonly registry: WorkerRegistryRepository,
    private readonly jobs: JobRepository,
    private readonly events: EventStreamRepository,
    private readonly queue: ShardQueueRepository,
    private readonly resizer: JobResizeService,
  ) {}

  /** One admission pass, if no other process is running one. */
  async tick(): Promise<TickResult | null> {
    const lock = await this.scheduler.lock(5000);
    if (!lock) return null;
    try {
      return await this.pass();
    } finally {
      await this.scheduler.unlock(lock);
    }
  }

  private async pass(): Promise<TickResult> {
    const workers = await this.registry.alive(WORKER_ALIVE_MS);
    const capacity = workers.reduce((a, w) => a + w.capacity, 0);
    const running = await this.scheduler.running();
    await this.forgetFinished(running);
    const held = await this.requeueResized(running);
    const pending = await this.scheduler.pending();
    const metas = await this.jobs.metas(pending);
    const known = new Map<string, JobMeta>();
    for (let i = 0; i < pending.length; i++) {
      const meta = metas[i];
      if (!meta) await this.scheduler.release(pending[i]);
      else known.set(meta.id, meta);
    }
    const plan = planAdmission(
      [...known.values()].map(waitingJobOf),
      held.map((m) => ({ id: m.id, createdAtMs: Date.parse(m.createdAt), slots: running.get(m.id) ?? m.shards })),
      capacity,
    );
    let reserved = [...running.values()].reduce((a, n) => a + n, 0);
    const result: TickResult = { admitted: [], waiting: plan.waiting.map((w) => w.id), capacity, reserved };
    for (const { id, shards } of plan.admit) {
      await this.admit(known.get(id)!, shards);
      reserved += shards;
      result.admitted.push(id);
    }
    const free = Math.max(0, capacity - reserved);
    await this.noteWaiting(
      plan.waiting.map((w) => [w.id, w.needed, capacity, free] as [string, number, number, number]),
    );
    if (plan.waiting.length === 0 && free > 0) reserved += await this.grow(held, free);
    result.reserved = reserved;
    return result;
  }

  /** Starts a job's shards (with fewer than it asked for when `shards` says so: its minShards allowed it). */
  private async admit(meta: JobMeta, shards: number): Promise<void> {
    if (shards !== meta.shards) {
      await this.jobs.updateMeta(meta.id, { shards });
      await this.events.append(meta.id, { type: 'resized', shards, window: 0 });
    }
    // Shard jobs first (their ids are stable: queuing twice is harmless), the flags last: a restart of Redis
    // that loses the last writes must not leave a job admitted with no shard jobs (found by npm run sim:protocol).
    await this.queue.enqueue(meta.id, shards, meta.epoch ?? 0);
    await this.scheduler.admit(meta.id, shards);
    if (meta.requeue) await this.jobs.updateMeta(meta.id, {}, ['requeue']);
  }

  /**
   * Admitted jobs that a resize switched to a new shard count go back to
   * the queue (their shards all stopped). @returns the metadata of the
   * admitted jobs still holding slots
   */
  private async requeueResized(running: Map<string, number>): Promise<JobMeta[]> {
    const metas = await this.jobs.metas([...running.keys()]);
    const held: JobMeta[] = [];
    for (const meta of metas) {
      if (!meta) continue;
      if (!meta.requeue) {
        held.push(meta);
        continue;
      }
      await this.scheduler.requeue(meta.id, Date.parse(meta.createdAt));
      running.delete(meta.id);
    }
    return held;
  }

  /**
   * Grows running jobs that have fewer shards than they may use (oldest
   * first) into `free` slots: asks each to resize and reserves the slots for
   * it now. @returns the slots reserved
   */
  private async grow(held: readonly JobMeta[], free: number): Promise<number> {
    let taken = 0;
    for (const meta of [...held].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))) {
      if (taken >= free) break;
      const to = growTarget(
        { ...meta, minShards: meta.config.run.minShards, actors: actorsOf(meta.config) },
        free - taken,
      );
      if (to === null || !(await this.resizer.signal(meta, to))) continue;
      await this.scheduler.admit(meta.id, to);
      taken += to - meta.shards;
    }
    return taken;
  }

  /** Frees slots of admitted jobs that finished meanwhile (e.g. cancelled between passes). */
  private async forgetFinished(running: Map<string, number>): Promise<void> {
    const ids = [...running.keys()];
    const results = await this.jobs.results(ids);
    for (let i = 0; i < ids.length; i++) {
      if (results[i]) {
        await this.scheduler.release(ids[i]);
        running.delete(ids[i]);
      }
    }
  }

  /**
   * Records `waiting-for-workers` for the jobs that wait, in two round trips
   * however many there are (a submit runs a pass, so this is on its path).
   * Appended only when the numbers change, so idle passes do not flood the stream.
   */
  private async noteWaiting(notes: readonly [string, number, number, number][]): Promise<void> {
    const changed = await this.jobs.swapWaitNotes(
      notes.map(([id, needed, live, free]) => [id, `${needed}/${live}/${free}`] as const),
    );
    await this.events.appendMany(
      notes
        .filter((_, i) => changed[i])
        .map(([jobId, needed, live, free]) => ({
          jobId,
          event: { type: 'waiting-for-workers' as const, slotsNeeded: needed, slotsLive: live, slotsFree: free },
        })),
    );
  }
}

/** A queued job as the admission plan sees it: a job that ran before a resize starts only with its current shard count. */
function waitingJobOf(meta: JobMeta): WaitingJob {
  const min = (meta.epoch ?? 0) === 0 && meta.config.run.minShards > 0 ? meta.config.run.minShards : meta.shards;
  return { id: meta.id, createdAtMs: Date.parse(meta.createdAt), shards: meta.shards, minShards: min };
}
