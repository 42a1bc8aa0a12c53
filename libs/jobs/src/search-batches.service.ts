import { ScenarioInputError, SweepKind } from '@tlbsim/contracts';
import {
  BatchSearch,
  HuntDriver,
  HuntDriverState,
  HuntRequest,
  HuntResult,
  SearchPoint,
  ShrinkDriver,
  ShrinkDriverState,
  ShrinkRequest,
  ShrinkResult,
} from '@tlbsim/engine';
import type { FieldError } from '@tlbsim/contracts';
import type { SweepQueueRepository } from './sweep-queue.repository';
import { NewSweepEvent, StoredSweepPoint, SweepMeta, SweepRepository } from './sweep.repository';

/** The kinds of search run as batches of points. */
export type SearchKind = Exclude<SweepKind, 'sweep' | 'compare'>;

/** The request of a search of `kind`. */
export type SearchRequest<K extends SearchKind> = K extends 'hunt' ? HuntRequest : ShrinkRequest;

/** The result of a search of `kind`. */
export type SearchResult<K extends SearchKind> = K extends 'hunt' ? HuntResult : ShrinkResult;

/**
 * Bisection levels of a shrink's batch on the workers: a key's next two
 * steps at once (up to 3 runs), so a shrink keeps about 3 workers busy.
 * The result is that of one level at a time. @defaultValue 2
 */
export const SHRINK_LEVELS_ON_WORKERS = 2;

/** The search hash of a hunt or shrink, decoded. */
export interface StoredSearch {
  request: HuntRequest | ShrinkRequest;
  state: HuntDriverState | ShrinkDriverState;
  /** First point of the batch running. */
  batchStart: number;
  /** Runs counted by the search so far. */
  runs: number;
  best: Record<string, unknown> | null;
  result: HuntResult | ShrinkResult | null;
  /** The input errors that ended it (a shrink's scenario without a violation), else null. */
  errors: FieldError[] | null;
}

/** Decodes a search hash; null if it is gone. */
export function decodeSearch(h: Record<string, string>): StoredSearch | null {
  if (!h.request) return null;
  const json = <T>(text: string | undefined): T | null => (text ? (JSON.parse(text) as T) : null);
  return {
    request: JSON.parse(h.request),
    state: JSON.parse(h.state),
    batchStart: Number(h.batchStart),
    runs: Number(h.runs ?? 0),
    best: json(h.best),
    result: json(h.result),
    errors: json(h.errors),
  };
}

/** The search of `kind` for `request`, new or going on from `state`. */
export function searchDriverOf(
  kind: SearchKind,
  request: HuntRequest | ShrinkRequest,
  state?: unknown,
): BatchSearch<HuntResult | ShrinkResult> & { runs: number; best: unknown } {
  if (kind === 'hunt') return new HuntDriver(request as HuntRequest, Date.now, state as HuntDriverState | undefined);
  return new ShrinkDriver(request as ShrinkRequest, SHRINK_LEVELS_ON_WORKERS, state as ShrinkDriverState | undefined);
}

/** The stored points of a batch starting at point `start`. */
function storedPoints(batch: readonly SearchPoint[], start: number): StoredSweepPoint[] {
  return batch.map((p, i) => ({
    index: start + i,
    grid: p.label,
    policy: p.config.kvm.policy,
    seed: p.config.seed,
    config: p.config,
    search: { cls: p.cls },
  }));
}

/**
 * Hunts and shrinks on the workers: a search is a sequence of batches of
 * points, each point a whole run in process on some worker (see
 * `SweepPointService`). The submitter stores the first batch; the worker
 * that stores the last answer of a batch records the batch in the search
 * (restored from its state in Redis) and stores the next batch, or the
 * result. The same answers in the same order give the same result as in
 * process.
 */
export class SearchBatchesService {
  constructor(
    private readonly repo: SweepRepository,
    private readonly queue: () => SweepQueueRepository,
    private readonly retentionSec: number,
  ) {}

  /**
   * Stores a new search and queues its first batch.
   *
   * @throws ScenarioInputError when the scenario or the request does not validate (nothing is stored)
   */
  async start(meta: SweepMeta, kind: SearchKind, request: HuntRequest | ShrinkRequest): Promise<SweepMeta> {
    const driver = searchDriverOf(kind, request);
    const batch = driver.nextBatch();
    if (!batch)
      throw new ScenarioInputError([
        { path: 'budget', value: 0, constraint: 'min', message: 'nothing to run', limit: 1 },
      ]);
    const points = storedPoints(batch, 0);
    const started: SweepMeta = {
      ...meta,
      kind,
      points: points.length,
      policies: [...new Set(points.map((p) => p.policy))],
    };
    await this.repo.saveSearch(meta.id, {
      request: JSON.stringify(request),
      state: JSON.stringify(driver.snapshot()),
      batchStart: '0',
      runs: '0',
    });
    await this.repo.create(started, points);
    await this.queue().enqueue(meta.id, points.length, 0);
    return started;
  }

  /** Records the batch that just completed and queues the next one, or stores the result and completes the search. */
  async advance(meta: SweepMeta): Promise<void> {
    const stored = decodeSearch(await this.repo.search(meta.id));
    if (!stored) return;
    const driver = searchDriverOf(meta.kind as SearchKind, stored.request, stored.state);
    try {
      driver.record(await this.repo.answers(meta.id, stored.batchStart, meta.points));
      const batch = driver.nextBatch();
      // A hunt's best is kept per point (the closest run, see SweepPointService); a shrink's is the search's.
      const progress: Record<string, string> = { runs: String(driver.runs), state: JSON.stringify(driver.snapshot()) };
      if (meta.kind === 'shrink') progress.best = JSON.stringify(driver.best ?? null);
      if (batch) {
        await this.repo.saveSearch(meta.id, { ...progress, batchStart: String(meta.points) });
        await this.repo.addBatch(meta.id, storedPoints(batch, meta.points), meta.points + batch.length);
        await this.queue().enqueue(meta.id, batch.length, meta.points);
        return;
      }
      await this.repo.saveSearch(meta.id, { ...progress, result: JSON.stringify(driver.result()) });
      await this.repo.finish(
        meta.id,
        'completed',
        null,
        this.retentionSec,
        this.endEvent(meta, stored.request, driver.best),
      );
    } catch (error) {
      if (!(error instanceof ScenarioInputError)) throw error;
      await this.repo.saveSearch(meta.id, { errors: JSON.stringify(error.errors) });
      await this.repo.finish(
        meta.id,
        'failed',
        error.errors.map((e) => e.message).join('; '),
        this.retentionSec,
        this.endEvent(meta, stored.request, driver.best),
      );
    }
  }

  /** The fields of a final event. */
  private endEvent(
    meta: SweepMeta,
    request: HuntRequest | ShrinkRequest,
    best: unknown,
  ): Omit<NewSweepEvent, 'type' | 'error'> {
    return progressFieldsOf(
      meta,
      meta.points,
      (best ?? null) as Record<string, unknown> | null,
      pointsMaxOf(meta.kind, request),
    );
  }
}

/** Most points a job may run: a sweep's points, a hunt's budget; null when not known ahead. */
export function pointsMaxOf(
  kind: SweepKind,
  request: HuntRequest | ShrinkRequest | null,
  points?: number,
): number | null {
  if (kind === 'sweep' || kind === 'compare') return points ?? null;
  return kind === 'hunt' ? ((request as HuntRequest | null)?.budgetRuns ?? null) : null;
}

/** The fields of a progress event of `meta` with `done` points finished. */
export function progressFieldsOf(
  meta: SweepMeta,
  done: number,
  best: Record<string, unknown> | null,
  pointsMax: number | null,
): Omit<NewSweepEvent, 'type' | 'error'> {
  const elapsedSec = Math.max(1e-3, (Date.now() - Date.parse(meta.createdAt)) / 1000);
  return { kind: meta.kind, pointsDone: done, points: meta.points, pointsMax, pointsPerSec: done / elapsedSec, best };
}
