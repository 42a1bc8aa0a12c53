import { shardJobId, ShardJobData } from '../shard-queue.repository';
import type { VirtualScheduler } from './virtual.scheduler';

/** A BullMQ shard job as the model holds it. */
export interface QueueJob {
  id: string;
  data: ShardJobData;
  state: 'waiting' | 'active' | 'failed';
  /** The worker holding it (active). */
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
 * completion refused to a worker that lost the lock.
 */
export class SimQueue {
  private readonly jobs = new Map<string, QueueJob>();

  constructor(
    private readonly sched: VirtualScheduler,
    private readonly lockMs: number,
  ) {}

  /** Queues one job per shard of epoch `epoch` (`ShardQueueRepository.enqueue`). */
  enqueue(jobId: string, shards: number, epoch: number): void {
    for (let shard = 0; shard < shards; shard++) {
      const id = shardJobId(jobId, shard, epoch);
      if (this.jobs.has(id)) continue;
      if (this.jobs.size >= QUEUE_JOBS_MAX) throw new Error(`more than ${QUEUE_JOBS_MAX} queued shard jobs`);
      const data: ShardJobData = epoch > 0 ? { jobId, shard, shards, epoch } : { jobId, shard, shards };
      this.jobs.set(id, { id, data, state: 'waiting', holder: null, lockUntil: 0 });
    }
  }

  /** The oldest waiting job, now active and locked by `worker`; null if none waits. */
  take(worker: string): QueueJob | null {
    for (const j of this.jobs.values()) {
      if (j.state !== 'waiting') continue;
      j.state = 'active';
      j.holder = worker;
      j.lockUntil = this.sched.now + this.lockMs;
      return j;
    }
    return null;
  }

  /** Renews the locks of `worker`'s active jobs. */
  renew(worker: string): void {
    for (const j of this.jobs.values())
      if (j.state === 'active' && j.holder === worker) j.lockUntil = this.sched.now + this.lockMs;
  }

  private holds(j: QueueJob, worker: string): boolean {
    return this.jobs.get(j.id) === j && j.state === 'active' && j.holder === worker;
  }

  /** The run ended: removed (`removeOnComplete`), if `worker` still holds it. */
  complete(j: QueueJob, worker: string): void {
    if (this.holds(j, worker)) this.jobs.delete(j.id);
  }

  /** Back to the wait list (a stopping worker's shard), if `worker` still holds it. */
  moveToWait(j: QueueJob, worker: string): void {
    if (!this.holds(j, worker)) return;
    j.state = 'waiting';
    j.holder = null;
  }

  /** Failed (kept), if `worker` still holds it. */
  fail(j: QueueJob, worker: string): void {
    if (this.holds(j, worker)) j.state = 'failed';
  }

  /** Active jobs whose lock expired go back to the wait list (BullMQ's stalled check). */
  checkStalled(): number {
    let n = 0;
    for (const j of this.jobs.values()) {
      if (j.state !== 'active' || j.lockUntil >= this.sched.now) continue;
      j.state = 'waiting';
      j.holder = null;
      n++;
    }
    return n;
  }

  /** Removes waiting jobs (a cancel: `removeWaiting`); active ones stop by themselves. */
  removeWaiting(): void {
    for (const [id, j] of this.jobs) if (j.state === 'waiting') this.jobs.delete(id);
  }
}
