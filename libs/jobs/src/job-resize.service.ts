import { EventStreamRepository } from './event-stream.repository';
import { JobMeta, JobRepository } from './job.repository';
import { planResize } from './protocol/resize.protocol';
import { TlbRedis } from './redis.client';
import { RedisShardStore } from './redis-shard.store';
import { commitResizeOn } from './resize.commit';
import { SchedulerRepository } from './scheduler.repository';

/** What {@link JobResizeService.request} did. */
export type ResizeOutcome = 'requested' | 'applied' | 'unchanged' | 'finished';

/** How long a request waits for the scheduler lock at most. @defaultValue 5000 */
export const RESIZE_LOCK_WAIT_MS = 5000;

/**
 * Changing the shard count of a job (`tlbsim resize`): the step is the pure
 * `planResize`'s (protocol/), performed here on Redis. A running job is
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
      const state = now && {
        finished: !!(await this.jobs.results([meta.id]))[0],
        shards: now.shards,
        resizeTo: now.resizeTo,
        running: (await this.scheduler.running()).has(now.id),
        requeue: !!now.requeue,
        epoch: now.epoch ?? 0,
      };
      const step = planResize(state, shards);
      if (step === 'finished') return 'finished';
      if (explicit) await this.jobs.updateMeta(now!.id, { maxShards: shards });
      if (step === 'unchanged') return 'unchanged';
      if (step === 'signal') return (await this.signal(now!, shards)) ? 'requested' : 'finished';
      if (step === 'set-shards') {
        // Never started: only its metadata knows its shard count.
        if (!(await this.jobs.updateMeta(now!.id, { shards }, ['waitNote']))) return 'finished';
        await this.events.append(now!.id, { type: 'resized', shards, window: 0 });
        return 'applied';
      }
      return (await this.commit(now!, shards)) === 'finished' ? 'finished' : 'applied';
    } finally {
      await this.scheduler.unlock(lock);
    }
  }

  /** Asks a running job's shards to stop at the next barrier for a resize to `shards`; false if it is finished. */
  async signal(meta: JobMeta, shards: number): Promise<boolean> {
    const event = EventStreamRepository.encode({ type: 'resize-requested', shards });
    return new RedisShardStore(this.redis, this.jobs.keys(meta.id)).requestResize(shards, event);
  }

  /**
   * Re-partitions the job's snapshots (all taken after one window) into the
   * requested shard count and switches the job to them. Without `target` the
   * job is running and every shard stopped for the resize (the target is the
   * barrier's request); with it the job is waiting in the queue.
   */
  async commit(meta: JobMeta, target?: number): Promise<'committed' | 'finished' | 'moved'> {
    const store = new RedisShardStore(this.redis, this.jobs.keys(meta.id));
    const r = await commitResizeOn(store, meta, target, (e) => EventStreamRepository.encode(e));
    if (r === 'committed' && target === undefined) await this.tick();
    return r;
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
