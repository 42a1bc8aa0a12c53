import { ShardExecutionService } from '../shard-execution.service';
import { ShardInterruptedError } from '../shard-interrupted.error';
import { SimClientStore } from './sim-client.store';
import { newClient, SimClient } from './sim.network';
import type { SimWorld } from './sim.world';

/** How often an idle worker looks for a shard job, virtual ms. @defaultValue 20 */
export const WORKER_POLL_MS = 20;

/**
 * A worker process in the simulator: the real {@link ShardExecutionService}
 * on the in-memory store, reached through the simulated network, around a
 * model of `WorkerRuntime`'s BullMQ loop: takes shard jobs up to its
 * concurrency, renews their locks every half lock while it runs (not while
 * frozen or dead), hands a shard back on `ShardInterruptedError`, fails
 * the job when a run throws anything else, and on SIGTERM stops taking
 * jobs and exits once its shards stopped.
 */
export class SimWorker {
  readonly client: SimClient;
  readonly execution: ShardExecutionService;
  readonly store: SimClientStore;
  running = 0;
  stopping = false;
  /** The shard jobs this worker is running (whose locks it renews). */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly world: SimWorld,
    readonly id: string,
    readonly concurrency: number,
  ) {
    this.client = newClient(id);
    this.store = new SimClientStore(world.net, this.client, world.checker);
    this.execution = new ShardExecutionService(world.portsOf(this.store));
  }

  /** Starts polling and renewing locks. */
  start(): void {
    const poll = (): void => {
      if (!this.client.alive) return;
      if (!this.client.frozen) this.poll();
      this.world.sched.after(WORKER_POLL_MS, poll);
    };
    const renew = (): void => {
      if (!this.client.alive) return;
      if (!this.client.frozen) this.world.queue.renew(this.held);
      this.world.sched.after(this.world.opts.lockMs / 2, renew);
    };
    poll();
    renew();
  }

  /** SIGTERM: no new shards; running ones snapshot at their next window and go back to the queue; then exit. */
  terminate(): void {
    this.stopping = true;
    const exit = (): void => {
      if (!this.client.alive) return;
      if (this.running === 0) this.client.alive = false;
      else this.world.sched.after(WORKER_POLL_MS, exit);
    };
    exit();
  }

  /**
   * BullMQ failed a shard job whose run threw (`attempts: 1`): the job
   * fails with the shard's error (`WorkerRuntime.onFailed`); a store error
   * there leaves it as it is, as the runtime's would.
   */
  private async failJob(jobId: string, shard: number, error: unknown): Promise<void> {
    const ports = this.world.portsOf(this.store);
    const meta = await ports.meta(jobId).catch(() => null);
    const text = error instanceof Error ? error.message : String(error);
    if (meta) await ports.fail(meta, `shard ${shard}: ${text}`).catch(() => undefined);
  }

  private poll(): void {
    while (!this.stopping && this.running < this.concurrency) {
      const job = this.world.queue.take(this.id);
      if (!job) return;
      this.running++;
      this.held.set(job.id, job.holder!);
      void this.execution
        .run(job.data, {
          workerId: this.id,
          store: this.store,
          shouldStop: () => this.stopping,
          barrierTimeoutMs: this.world.opts.barrierTimeoutMs,
        })
        .then(
          (outcome) => {
            this.world.checker.runEnded(outcome);
            this.world.queue.complete(job);
          },
          (error: unknown) => {
            if (error instanceof ShardInterruptedError) this.world.queue.moveToWait(job);
            else {
              this.world.checker.runThrew(error);
              if (this.world.queue.fail(job)) void this.failJob(job.data.jobId, job.data.shard, error);
            }
          },
        )
        .finally(() => {
          this.running--;
          if (this.held.get(job.id) === job.holder) this.held.delete(job.id);
        });
    }
  }
}
