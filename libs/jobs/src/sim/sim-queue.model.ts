import type { InMemoryShardStore } from '../in-memory-shard.store';
import { shardJobId, ShardJobData } from '../shard-queue.repository';
import type { VirtualScheduler } from './virtual.scheduler';

/** A BullMQ shard job as the model holds it. */
export interface QueueJob {
  id: string;
  data: ShardJobData;
  state: 'waiting' | 'active' | 'failed';
  /** The lock token of the take that holds it (active): BullMQ's lock is per take, not per worker. */
  holder: string | null;
  lockUntil: number;
}

/** Jobs in the model queue at most (a schedule has one job of a few shards and epochs). @defaultValue 4096 */
export const QUEUE_JOBS_MAX = 4096;

/**
 * A model of BullMQ as the shard queue uses it (not BullMQ itself): stable
 * job ids (a shard is not queued twice), a lock per active job that its
 * worker renews, a stalled check that puts jobs whose lock expired back in
 * the wait list (`maxStalledCount` 100: never failed for it), completed
 * jobs removed, `moveToWait` for a shard a stopping worker hands back, and
 * completion refused to a worker that lost the lock. Its state is kept in
 * the in-memory store's journaled state (BullMQ's keys share the job's
 * Redis), so a store restart loses its writes consistently with the rest.
 */
export class SimQueue {
  constructor(
    private readonly sched: VirtualScheduler,
    private readonly store: InMemoryShardStore,
    private readonly lockMs: number,
  ) {}

  private jobsOf(q: Map<string, Record<string, unknown>>): Map<string, QueueJob> {
    return q as unknown as Map<string, QueueJob>;
  }

  /** Queues one job per shard of epoch `epoch` (`ShardQueueRepository.enqueue`). */
  enqueue(jobId: string, shards: number, epoch: number): void {
    this.store.write((j) => {
      const jobs = this.jobsOf(j.queue);
      for (let shard = 0; shard < shards; shard++) {
        const id = shardJobId(jobId, shard, epoch);
        if (jobs.has(id)) continue;
        if (jobs.size >= QUEUE_JOBS_MAX) throw new Error(`more than ${QUEUE_JOBS_MAX} queued shard jobs`);
        const data: ShardJobData = epoch > 0 ? { jobId, shard, shards, epoch } : { jobId, shard, shards };
        jobs.set(id, { id, data, state: 'waiting', holder: null, lockUntil: 0 });
      }
    });
  }

  private takes = 0;

  /** The oldest waiting job, now active and locked by a new lock token of `worker` (in `holder`); null if none waits. */
  take(worker: string): QueueJob | null {
    if (!this.store.read((j) => [...this.jobsOf(j.queue).values()].some((q) => q.state === 'waiting'))) return null;
    const until = this.sched.now + this.lockMs;
    const token = `${worker}#${++this.takes}`;
    return this.store.write((j) => {
      for (const q of this.jobsOf(j.queue).values()) {
        if (q.state !== 'waiting') continue;
        Object.assign(q, { state: 'active', holder: token, lockUntil: until });
        return { ...q };
      }
      return null;
    });
  }

  /** Renews the locks a worker holds (job id -> lock token; BullMQ extends the locks of the jobs it processes). */
  renew(held: ReadonlyMap<string, string>): void {
    if (held.size === 0) return;
    const until = this.sched.now + this.lockMs;
    this.store.write((j) => {
      for (const [id, token] of held) {
        const q = this.jobsOf(j.queue).get(id);
        if (q && q.state === 'active' && q.holder === token) q.lockUntil = until;
      }
    });
  }

  /** Applies `fn` to job `id` if the take `token` still holds its lock; false if it does not. */
  private ifHeld(id: string, token: string, fn: (jobs: Map<string, QueueJob>, q: QueueJob) => void): boolean {
    return this.store.write((j) => {
      const jobs = this.jobsOf(j.queue);
      const q = jobs.get(id);
      if (!(q && q.state === 'active' && q.holder === token)) return false;
      fn(jobs, q);
      return true;
    });
  }

  /** The run ended: removed (`removeOnComplete`), if its take still holds the lock. */
  complete(job: QueueJob): void {
    this.ifHeld(job.id, job.holder!, (jobs) => jobs.delete(job.id));
  }

  /** Back to the wait list (a stopping worker's shard), if its take still holds the lock. */
  moveToWait(job: QueueJob): void {
    this.ifHeld(job.id, job.holder!, (_, q) => Object.assign(q, { state: 'waiting', holder: null }));
  }

  /** Failed (kept), if its take still holds the lock (then true: BullMQ's `failed` event). */
  fail(job: QueueJob): boolean {
    return this.ifHeld(job.id, job.holder!, (_, q) => (q.state = 'failed'));
  }

  /** Active jobs whose lock expired go back to the wait list (BullMQ's stalled check). */
  checkStalled(): void {
    const now = this.sched.now;
    const stalled = (q: QueueJob): boolean => q.state === 'active' && q.lockUntil < now;
    if (!this.store.read((j) => [...this.jobsOf(j.queue).values()].some(stalled))) return;
    this.store.write((j) => {
      for (const q of this.jobsOf(j.queue).values())
        if (stalled(q)) Object.assign(q, { state: 'waiting', holder: null });
    });
  }

  /** Removes waiting jobs (a cancel: `removeWaiting`); active ones stop by themselves. */
  removeWaiting(): void {
    this.store.write((j) => {
      const jobs = this.jobsOf(j.queue);
      for (const [id, q] of jobs) if (q.state === 'waiting') jobs.delete(id);
    });
  }
}
