import { EventStreamRepository } from './event-stream.repository';
import { WORKER_ALIVE_MS } from './jobs.constants';
import { JobRepository } from './job.repository';
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
 * minus the slots of admitted jobs fits them. A job that does not fit
 * shows `waiting-for-workers` with how many slots it needs; strict FIFO
 * keeps small jobs from starving a big one.
 */
export class SchedulerService {
  constructor(
    private readonly scheduler: SchedulerRepository,
    private readonly registry: WorkerRegistryRepository,
    private readonly jobs: JobRepository,
    private readonly events: EventStreamRepository,
    private readonly queue: ShardQueueRepository,
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
    let reserved = [...running.values()].reduce((a, n) => a + n, 0);
    const result: TickResult = { admitted: [], waiting: [], capacity, reserved };
    const pending = await this.scheduler.pending();
    const metas = await this.jobs.metas(pending);
    const notes: [string, number, number, number][] = [];
    for (let i = 0; i < pending.length; i++) {
      const meta = metas[i];
      if (!meta) { await this.scheduler.release(pending[i]); continue; }
      const free = Math.max(0, capacity - reserved);
      // Strict FIFO: nothing is admitted behind a job that waits.
      if (meta.shards > free || result.waiting.length > 0) {
        result.waiting.push(meta.id);
        notes.push([meta.id, meta.shards, capacity, free]);
        continue;
      }
      await this.scheduler.admit(meta.id, meta.shards);
      await this.queue.enqueue(meta.id, meta.shards);
      reserved += meta.shards;
      result.admitted.push(meta.id);
    }
    await this.noteWaiting(notes);
    result.reserved = reserved;
    return result;
  }

  /** Frees slots of admitted jobs that finished meanwhile (e.g. cancelled between passes). */
  private async forgetFinished(running: Map<string, number>): Promise<void> {
    const ids = [...running.keys()];
    const results = await this.jobs.results(ids);
    for (let i = 0; i < ids.length; i++) {
      if (results[i]) { await this.scheduler.release(ids[i]); running.delete(ids[i]); }
    }
  }

  /**
   * Records `waiting-for-workers` for the jobs that wait, in two round trips
   * however many there are (a submit runs a pass, so this is on its path).
   * Appended only when the numbers change, so idle passes do not flood the stream.
   */
  private async noteWaiting(notes: readonly [string, number, number, number][]): Promise<void> {
    const changed = await this.jobs.swapWaitNotes(notes.map(([id, needed, live, free]) => [id, `${needed}/${live}/${free}`] as const));
    await this.events.appendMany(notes.filter((_, i) => changed[i])
      .map(([jobId, needed, live, free]) => ({ jobId, event: { type: 'waiting-for-workers' as const, slotsNeeded: needed, slotsLive: live, slotsFree: free } })));
  }
}
