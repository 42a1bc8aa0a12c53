import type { SimConfig } from '@tlbsim/sim-core';
import { NewJobEvent } from '../event-stream.repository';
import { InMemoryShardStore } from '../in-memory-shard.store';
import { reportOfPartials } from '../job.report';
import { JobMeta } from '../job.repository';
import { commitResizeOn } from '../resize.commit';
import { ShardRunPorts } from '../shard-run.ports';
import { SimClientStore } from './sim-client.store';
import { SimChecker } from './sim.checker';
import { newClient, SimClient, SimMutation, SimNetwork } from './sim.network';
import { SimQueue } from './sim-queue.model';
import { SimRandom } from './sim.random';
import { SimWorker } from './sim-worker.model';
import { VirtualScheduler } from './virtual.scheduler';

/** The job id of every schedule. */
export const SIM_JOB_ID = 'sim';

/** Wall time of virtual time 0 (event stamps only). */
const EPOCH_MS = Date.UTC(2026, 0, 1);

/** Settings of one simulated cluster. */
export interface SimWorldOptions {
  config: SimConfig;
  /** Shards the job starts with. */
  shards: number;
  /** BullMQ lock of a shard job, virtual ms. @defaultValue 6000 */
  lockMs: number;
  /** Period of BullMQ's stalled check, virtual ms. @defaultValue 3000 */
  stalledMs: number;
  /** A shard's barrier timeout, virtual ms. @defaultValue 60000 */
  barrierTimeoutMs: number;
  /** Period of admission passes (a resized job goes back to the queue), virtual ms. @defaultValue 1000 */
  admissionMs: number;
  /** Period of the store's AOF fsync (appendfsync everysec), virtual ms. @defaultValue 1000 */
  fsyncMs: number;
  /** The most shards a resize may ask for (the actors, and the workers' slots). */
  shardsMax: number;
  mutation?: SimMutation;
}

/**
 * One simulated cluster running one job: the in-memory store behind a
 * simulated network, the shard queue model, workers running the real
 * `ShardExecutionService`, and a coordinator (a client of the store that
 * cancels and resizes, and the admission pass that queues a resized job
 * again: a model of `SchedulerService`).
 */
export class SimWorld {
  readonly sched = new VirtualScheduler();
  readonly store: InMemoryShardStore;
  readonly net: SimNetwork;
  readonly queue: SimQueue;
  readonly checker: SimChecker;
  readonly workers: SimWorker[] = [];
  coordinator: SimClient = newClient('coordinator');
  coordinatorStore: SimClientStore;
  /** Admission passes are off until this virtual time (the coordinator restarting). */
  admissionOffUntil = 0;
  /** A resize request holds the scheduler lock: no admission pass meanwhile. */
  schedulerLocked = false;
  private workerSeq = 0;

  constructor(
    readonly rng: SimRandom,
    readonly opts: SimWorldOptions,
  ) {
    const planted = opts.mutation;
    const storeMutation = planted === 'store-error-fails' ? undefined : planted;
    this.store = new InMemoryShardStore({ shards: opts.shards, mutation: storeMutation });
    this.net = new SimNetwork(this.sched, rng, this.store, { disguiseStoreErrors: planted === 'store-error-fails' });
    this.queue = new SimQueue(this.sched, this.store, opts.lockMs);
    this.checker = new SimChecker(() => this.store.read((j) => Number(j.meta.get('epoch') ?? '0')));
    this.coordinatorStore = new SimClientStore(this.net, this.coordinator, this.checker);
  }

  /** Starts the job, the periodic store fsync, the stalled check and the admission passes. */
  start(): void {
    this.queue.enqueue(SIM_JOB_ID, this.opts.shards, 0);
    // The submission is on disk: a restart loses what runs, not the job.
    this.store.fsync();
    const every = (ms: number, fn: () => void): void => {
      const tick = (): void => {
        fn();
        this.sched.after(ms, tick);
      };
      this.sched.after(ms, tick);
    };
    every(this.opts.fsyncMs, () => this.store.fsync());
    every(this.opts.stalledMs, () => this.queue.checkStalled());
    every(this.opts.admissionMs, () => this.admit());
  }

  /** Adds and starts a worker with `concurrency` slots. */
  addWorker(concurrency: number): SimWorker {
    const w = new SimWorker(this, `w${++this.workerSeq}`, concurrency);
    this.workers.push(w);
    w.start();
    return w;
  }

  /** A restarted coordinator. */
  replaceCoordinator(c: SimClient): void {
    this.coordinator = c;
    this.coordinatorStore = new SimClientStore(this.net, c, this.checker);
  }

  /** The live workers. */
  get alive(): SimWorker[] {
    return this.workers.filter((w) => w.client.alive);
  }

  /** A resized job goes back to the queue with its new shard count (`SchedulerService.requeueResized`). */
  private admit(): void {
    if (this.sched.now < this.admissionOffUntil || this.schedulerLocked) return;
    const requeue = this.store.read((j) => !j.result && j.meta.get('requeue') === '1');
    if (!requeue) return;
    const layout = this.store.read((j) => ({
      shards: Number(j.meta.get('shards')),
      epoch: Number(j.meta.get('epoch')),
    }));
    // As SchedulerService.admit: the shard jobs first, the flag last (a restart may keep the one and not the other).
    this.queue.enqueue(SIM_JOB_ID, layout.shards, layout.epoch);
    this.store.write((j) => j.meta.delete('requeue'));
  }

  /** An event as stored, stamped with the virtual clock. */
  encode(event: NewJobEvent): string {
    return JSON.stringify({ ...event, at: new Date(EPOCH_MS + this.sched.now).toISOString() });
  }

  /** The job's metadata at a layout. */
  metaOf(layout: { shards: number; epoch: number }): JobMeta {
    const cfg = this.opts.config;
    return {
      id: SIM_JOB_ID,
      name: cfg.name,
      policy: cfg.kvm.policy,
      seed: cfg.seed,
      shards: layout.shards,
      groupId: null,
      createdAt: new Date(EPOCH_MS).toISOString(),
      accessesTotal: 0,
      windowsEstimate: 1,
      config: cfg,
      epoch: layout.epoch,
    };
  }

  /**
   * The ports of a worker's shard runs over its client store: the job's
   * end as `JobFinalizerService` does it (the report by the same
   * `reportOfPartials`, then the tombstone and the transport keys dropped),
   * the resize commit by the same `commitResizeOn`.
   */
  portsOf(store: SimClientStore): ShardRunPorts {
    return {
      meta: async () => {
        const layout = await store.layout();
        return layout && this.metaOf(layout);
      },
      storeOn: () => {
        throw new Error('the simulator passes its store');
      },
      append: (_jobId, event) => store.append(this.encode(event)),
      fail: async (meta, error) => {
        await store.finish('failed', { error }, this.encode({ type: 'failed', error }));
        await store.dropTransport(meta.shards);
      },
      complete: async (meta) => {
        const built = reportOfPartials(meta, await store.partials());
        if (!built) return;
        const digest = built.report.digest;
        await store.finish('completed', { digest }, this.encode({ type: 'completed', digest }));
        await store.dropTransport(meta.shards);
      },
      commitResize: (meta) => commitResizeOn(store, meta, undefined, (e) => this.encode(e)),
      now: () => EPOCH_MS + this.sched.now,
      barrierNow: () => this.sched.now,
    };
  }
}
