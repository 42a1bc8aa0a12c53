import { randomBytes } from 'crypto';
import type { SweepPlan, SweepView } from '@tlbsim/contracts';
import { withOverhead } from '@tlbsim/engine';
import { JobLimitError } from './job-limit.error';
import { DEFAULT_PREFIX, defaultRetentionSec, RESULTS_KEPT_MAX, WORKER_ALIVE_MS } from './jobs.constants';
import type { JobsConnectionOptions } from './jobs.container';
import { createRedis, TlbRedis } from './redis.client';
import { RedisConnectionMonitor } from './redis-connection.monitor';
import { disconnectQueue } from './shard-queue.repository';
import { SweepQueueRepository } from './sweep-queue.repository';
import { SweepMeta, SweepRepository } from './sweep.repository';
import { WorkerRegistryRepository } from './worker-registry.repository';

/** Sweeps not finished at most; more is refused (the point queue must not grow without bound). @defaultValue 100 */
export const OPEN_SWEEPS_MAX = 100;

/** Options of {@link SweepsService.waitFor}. */
export interface SweepWaitOptions {
  /** Called with each view whose `pointsDone` changed. */
  onProgress?: (view: SweepView) => void;
  /** Poll period. @defaultValue 200 */
  pollMs?: number;
}

/** The view of a sweep from its metadata and rows. */
export function sweepViewOf(meta: SweepMeta, rows: SweepView['rows'], now = Date.now()): SweepView {
  const end = meta.finishedAt ? Date.parse(meta.finishedAt) : now;
  const elapsedSec = Math.max(1e-3, (end - Date.parse(meta.createdAt)) / 1000);
  return {
    id: meta.id, name: meta.name, state: meta.state, createdAt: meta.createdAt, finishedAt: meta.finishedAt, gridKeys: meta.gridKeys,
    policies: meta.policies, seeds: meta.seeds, points: meta.points, pointsDone: rows.length, pointsPerSec: rows.length / elapsedSec,
    error: meta.error, rows: withOverhead(rows, meta.policies),
  };
}

/**
 * Submitting and watching sweeps: a sweep is stored once and its points are
 * spread over the workers as BullMQ jobs of their own (see
 * {@link SweepPointService}). The connection opens on first use, so a
 * coordinator that never sees a sweep never connects for one.
 */
export class SweepsService {
  private conn: { redis: TlbRedis; repo: SweepRepository } | null = null;
  private pointQueue: SweepQueueRepository | null = null;
  private readonly prefix: string;
  private readonly retentionSec: number;

  constructor(private readonly opts: JobsConnectionOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.retentionSec = opts.retentionSec ?? defaultRetentionSec();
  }

  private get c(): { redis: TlbRedis; repo: SweepRepository } {
    if (!this.conn) {
      const redis = createRedis(this.opts.redisUrl, 'tlbsim-sweeps');
      this.conn = { redis, repo: new SweepRepository(redis, this.prefix) };
    }
    return this.conn;
  }

  /** The point queue, opened by the first submit: a BullMQ queue whose Redis never answered keeps the process alive. */
  private get queue(): SweepQueueRepository {
    this.pointQueue ??= new SweepQueueRepository(this.opts.redisUrl, this.prefix, this.retentionSec);
    return this.pointQueue;
  }

  /** Stores a planned sweep and queues its points. */
  async submit(plan: SweepPlan): Promise<SweepView> {
    const { ids } = await this.c.repo.ids(0, OPEN_SWEEPS_MAX);
    if ((await this.c.repo.states(ids)).filter((s) => s === 'running').length >= OPEN_SWEEPS_MAX) throw new JobLimitError(`too many sweeps running (${OPEN_SWEEPS_MAX}); try again later`);
    const meta: SweepMeta = {
      id: `s-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, name: plan.name, createdAt: new Date().toISOString(),
      gridKeys: plan.gridKeys, policies: plan.policies, seeds: plan.seeds, points: plan.points.length, state: 'running', finishedAt: null, error: null,
    };
    await this.c.repo.create(meta, plan.points.map(({ index, grid, policy, seed, config }) => ({ index, grid, policy, seed, config })));
    await this.queue.enqueue(meta.id, plan.points.length);
    await this.c.repo.prune(RESULTS_KEPT_MAX);
    return sweepViewOf(meta, []);
  }

  /** A sweep with its finished rows, or null if unknown. */
  async get(id: string): Promise<SweepView | null> {
    const meta = await this.c.repo.meta(id);
    return meta ? sweepViewOf(meta, await this.c.repo.rows(id)) : null;
  }

  /** Sweeps newest first, without their rows. */
  async list(offset = 0, limit = 50): Promise<{ items: Omit<SweepView, 'rows'>[]; total: number }> {
    const page = await this.c.repo.ids(Math.max(0, offset), Math.min(Math.max(1, limit), 200));
    const items: Omit<SweepView, 'rows'>[] = [];
    for (const id of page.ids) {
      const meta = await this.c.repo.meta(id);
      if (!meta) continue;
      const { rows: _rows, ...rest } = sweepViewOf(meta, []);
      items.push({ ...rest, pointsDone: await this.c.repo.rowCount(id) });
    }
    return { items, total: page.total };
  }

  /** Polls until the sweep completed or failed. @throws Error if it is unknown */
  async waitFor(id: string, opts: SweepWaitOptions = {}): Promise<SweepView> {
    let done = -1;
    for (;;) {
      const view = await this.get(id);
      if (!view) throw new Error(`sweep ${id} is unknown`);
      if (view.pointsDone !== done) { done = view.pointsDone; opts.onProgress?.(view); }
      if (view.state !== 'running') return view;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }

  /** Live worker processes (sweep points wait in the queue while there are none). */
  async liveWorkers(): Promise<number> {
    return (await new WorkerRegistryRepository(this.c.redis, this.prefix).alive(WORKER_ALIVE_MS)).length;
  }

  async ping(): Promise<boolean> {
    return (await this.c.redis.ping()) === 'PONG';
  }

  /** Closes the connections; drops them at once when Redis is unreachable (a close would wait for it). */
  async close(): Promise<void> {
    const up = RedisConnectionMonitor.of(this.opts.redisUrl).up;
    const queue = this.pointQueue;
    this.pointQueue = null;
    if (queue) await (up ? queue.close() : disconnectQueue(queue.queue));
    if (!this.conn) return;
    const { redis } = this.conn;
    this.conn = null;
    if (up) await redis.quit().catch(() => undefined);
    else redis.disconnect();
  }
}
