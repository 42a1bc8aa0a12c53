import { randomBytes } from 'crypto';
import type { FieldError, SweepEvent, SweepKind, SweepPlan, SweepState, SweepView } from '@tlbsim/contracts';
import {
  checkVary,
  HuntRequest,
  HuntResult,
  ShrinkRequest,
  ShrinkResult,
  sweepSummaryOf,
  withOverhead,
} from '@tlbsim/engine';
import { replicationConfigs } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import {
  checkComparePoints,
  COMPARE_JOB_LETTER,
  CompareJobView,
  compareJobViewOf,
  comparePointsOf,
} from './compare-job.view';
import { decodeSearch, SearchBatchesService, SearchKind } from './search-batches.service';
import { JobLimitError } from './job-limit.error';
import { DEFAULT_PREFIX, defaultRetentionSec, RESULTS_KEPT_MAX, WORKER_ALIVE_MS } from './jobs.constants';
import type { JobsConnectionOptions } from './jobs.container';
import { createRedis, TlbRedis } from './redis.client';
import { RedisConnectionMonitor } from './redis-connection.monitor';
import { disconnectQueue } from './shard-queue.repository';
import { SweepQueueRepository } from './sweep-queue.repository';
import { SweepMeta, sweepMetaHeaderOf, SweepRepository } from './sweep.repository';
import { WorkerRegistryRepository } from './worker-registry.repository';

/** Sweeps not finished at most, and as many hunts, shrinks and compares; more is refused (the point queue must not grow without bound). @defaultValue 100 */
export const OPEN_SWEEPS_MAX = 100;

/** Options of {@link SweepsService.waitFor}. */
export interface SweepWaitOptions {
  /** Called with each view whose `pointsDone` changed. */
  onProgress?: (view: SweepView) => void;
  /** Poll period. @defaultValue 200 */
  pollMs?: number;
}

/** A hunt or a shrink as `GET /api/hunts/:id`, `GET /api/shrinks/:id` and `tlbsim hunt|shrink --redis` see it. */
export interface SearchView<R> {
  id: string;
  kind: SearchKind;
  /** Scenario name. */
  name: string;
  state: SweepState;
  createdAt: string;
  finishedAt: string | null;
  /** Points asked for so far (a batch at a time). */
  points: number;
  /** Points finished so far. */
  pointsDone: number;
  /** Points finished per second of wall time since it was created. */
  pointsPerSec: number;
  /** Runs the search counted so far (as of its last batch; a shrink's runs off its path are points, not runs). */
  runs: number;
  /** The best so far: the closest run of a hunt, the smallest violating run of a shrink; null before the first batch. */
  best: Record<string, unknown> | null;
  /** Why it failed, else null. */
  error: string | null;
  /** The input errors that ended it (a shrink's scenario with no violation), else null. */
  errors: FieldError[] | null;
  /** The result once completed, else null: what `runHunt`/`runShrink` return in process. */
  result: R | null;
}

/** A hunt's view. */
export type HuntView = SearchView<HuntResult>;

/** A shrink's view. */
export type ShrinkView = SearchView<ShrinkResult>;

/** A new id of a sweep (`s-`), hunt (`h-`) or shrink (`r-`). */
export function newSweepId(letter: string): string {
  return `${letter}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The view of a sweep from its metadata and rows. */
export function sweepViewOf(meta: SweepMeta, rows: SweepView['rows'], now = Date.now()): SweepView {
  const finished = withOverhead(rows, meta.policies);
  const end = meta.finishedAt ? Date.parse(meta.finishedAt) : now;
  const elapsedSec = Math.max(1e-3, (end - Date.parse(meta.createdAt)) / 1000);
  return {
    ...sweepMetaHeaderOf(meta),
    gridKeys: meta.gridKeys,
    policies: meta.policies,
    seeds: meta.seeds,
    points: meta.points,
    pointsDone: rows.length,
    pointsPerSec: rows.length / elapsedSec,
    error: meta.error,
    rows: finished,
    summary: sweepSummaryOf(finished, meta.policies),
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
    await this.checkOpen('sweep');
    const meta: SweepMeta = {
      id: newSweepId('s'),
      kind: 'sweep',
      name: plan.name,
      createdAt: new Date().toISOString(),
      gridKeys: plan.gridKeys,
      policies: plan.policies,
      seeds: plan.seeds,
      points: plan.points.length,
      state: 'running',
      finishedAt: null,
      error: null,
    };
    await this.c.repo.create(
      meta,
      plan.points.map(({ index, grid, policy, seed, config }) => ({ index, grid, policy, seed, config })),
    );
    await this.queue.enqueue(meta.id, plan.points.length);
    await this.c.repo.prune(RESULTS_KEPT_MAX);
    return sweepViewOf(meta, []);
  }

  /**
   * Stores a compare job, one point per policy and replication seed
   * ({@link comparePointsOf}: `configs` are the policies' configs, the
   * first the baseline, each with `run.replications`), and queues its points.
   *
   * @throws ScenarioInputError when it is over the bounds of a sweep (nothing is stored)
   */
  async submitCompare(configs: readonly SimConfig[]): Promise<CompareJobView> {
    await this.checkOpen('compare');
    const points = comparePointsOf(configs);
    checkComparePoints(points);
    const seeds = replicationConfigs(configs[0]).map((c) => c.seed);
    const meta: SweepMeta = {
      id: newSweepId(COMPARE_JOB_LETTER),
      kind: 'compare',
      name: configs[0]?.name ?? '',
      createdAt: new Date().toISOString(),
      gridKeys: [],
      policies: configs.map((c) => c.kvm.policy),
      seeds: seeds.length,
      points: points.length,
      state: 'running',
      finishedAt: null,
      error: null,
    };
    await this.c.repo.saveSearch(meta.id, { seeds: JSON.stringify(seeds), configs: JSON.stringify(configs) });
    await this.c.repo.create(meta, points);
    await this.queue.enqueue(meta.id, points.length);
    await this.c.repo.prune(RESULTS_KEPT_MAX, 'compare');
    return compareJobViewOf(meta, seeds, []);
  }

  /**
   * A compare job with the reports of its finished points, or null if
   * unknown (or of another kind). `withReports` false: every run null,
   * `pointsDone` counted (for a caller that only waits for the end).
   */
  async getCompare(id: string, withReports = true): Promise<CompareJobView | null> {
    const meta = await this.c.repo.meta(id);
    if (meta?.kind !== 'compare') return null;
    const seeds = JSON.parse((await this.c.repo.search(id)).seeds ?? '[]') as number[];
    if (withReports) return compareJobViewOf(meta, seeds, await this.c.repo.reports(id, meta.points));
    return { ...compareJobViewOf(meta, seeds, []), pointsDone: await this.c.repo.rowCount(id) };
  }

  /** The policies' configs a compare job was submitted with (for its sensitivity re-runs), or null if unknown. */
  async compareConfigs(id: string): Promise<SimConfig[] | null> {
    const text = (await this.c.repo.search(id)).configs;
    return text ? (JSON.parse(text) as SimConfig[]) : null;
  }

  /** @throws JobLimitError when {@link OPEN_SWEEPS_MAX} sweeps (hunts, shrinks) of `kind` are running */
  private async checkOpen(kind: SweepKind): Promise<void> {
    const { ids } = await this.c.repo.ids(0, OPEN_SWEEPS_MAX, kind);
    if ((await this.c.repo.states(ids)).filter((s) => s === 'running').length >= OPEN_SWEEPS_MAX)
      throw new JobLimitError(`too many ${kind}s running (${OPEN_SWEEPS_MAX}); try again later`);
  }

  /** A sweep with its finished rows, or null if unknown. */
  async get(id: string): Promise<SweepView | null> {
    const meta = await this.c.repo.meta(id);
    return meta?.kind === 'sweep' ? sweepViewOf(meta, await this.c.repo.rows(id)) : null;
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
      if (view.pointsDone !== done) {
        done = view.pointsDone;
        opts.onProgress?.(view);
      }
      if (view.state !== 'running') return view;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }

  /**
   * Stores a hunt or shrink and queues its first batch.
   *
   * @throws ScenarioInputError for a bad scenario or request (nothing is stored)
   */
  async submitSearch<R>(kind: SearchKind, request: HuntRequest | ShrinkRequest, name: string): Promise<SearchView<R>> {
    if (kind === 'hunt') checkVary(request as HuntRequest);
    await this.checkOpen(kind);
    const meta: SweepMeta = {
      id: newSweepId(kind === 'hunt' ? 'h' : 'r'),
      kind,
      name,
      createdAt: new Date().toISOString(),
      gridKeys: [],
      policies: [],
      seeds: 1,
      points: 0,
      state: 'running',
      finishedAt: null,
      error: null,
    };
    const started = await new SearchBatchesService(this.c.repo, () => this.queue, this.retentionSec).start(
      meta,
      kind,
      request,
    );
    await this.c.repo.prune(RESULTS_KEPT_MAX, kind);
    return searchViewOf<R>(started, 0, {});
  }

  /** A hunt or shrink, or null if unknown (or of another kind). */
  async getSearch<R>(kind: SearchKind, id: string): Promise<SearchView<R> | null> {
    const meta = await this.c.repo.meta(id);
    if (!meta || meta.kind !== kind) return null;
    return searchViewOf<R>(meta, await this.c.repo.rowCount(id), await this.c.repo.search(id));
  }

  /** Events of a sweep, hunt or shrink after stream id `afterId` (null: from the start), without blocking. */
  readEvents(id: string, afterId: string | null, count = 500): Promise<SweepEvent[]> {
    return this.c.repo.readEvents(this.c.redis, id, afterId, 0, count);
  }

  /**
   * Follows the events of a sweep, hunt or shrink (blocking reads on a
   * connection of its own) until its final event, or until it is no longer
   * running and no event is left (expired).
   */
  async follow(id: string, onEvent: (event: SweepEvent) => void, blockMs = 1000): Promise<void> {
    const reader = createRedis(this.opts.redisUrl, 'tlbsim-sweep-events');
    try {
      let after: string | null = null;
      for (;;) {
        const events = await this.c.repo.readEvents(reader, id, after, blockMs);
        for (const e of events) {
          onEvent(e);
          after = e.id;
          if (e.type !== 'progress') return;
        }
        if (events.length === 0 && (await this.c.repo.meta(id))?.state !== 'running') return;
      }
    } finally {
      reader.disconnect();
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

/** The view of a hunt or shrink from its metadata, finished points and search hash. */
export function searchViewOf<R>(
  meta: SweepMeta,
  pointsDone: number,
  hash: Record<string, string>,
  now = Date.now(),
): SearchView<R> {
  const search = decodeSearch(hash);
  const end = meta.finishedAt ? Date.parse(meta.finishedAt) : now;
  const elapsedSec = Math.max(1e-3, (end - Date.parse(meta.createdAt)) / 1000);
  return {
    id: meta.id,
    kind: meta.kind as SearchKind,
    name: meta.name,
    state: meta.state,
    createdAt: meta.createdAt,
    finishedAt: meta.finishedAt,
    points: meta.points,
    pointsDone,
    pointsPerSec: pointsDone / elapsedSec,
    runs: search?.runs ?? 0,
    best: search?.best ?? null,
    error: meta.error,
    errors: search?.errors ?? null,
    result: (search?.result ?? null) as R | null,
  };
}
