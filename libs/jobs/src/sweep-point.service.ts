import { closenessOf, pointAnswerOf, runInProcess, runToFirstViolation, sweepRowOf } from '@tlbsim/engine';
import type { PointAnswer, RunReport } from '@tlbsim/engine';
import { SearchBatchesService, pointsMaxOf, progressFieldsOf, decodeSearch } from './search-batches.service';
import type { SweepPointJobData, SweepQueueRepository } from './sweep-queue.repository';
import { StoredSweepPoint, SweepMeta, SweepRepository } from './sweep.repository';

/** How a point ended on this worker. */
export type SweepPointOutcome = 'completed' | 'sweep-finished';

/**
 * Runs one point of a sweep, hunt, shrink or compare on a worker: the whole
 * run in this process (no Redis round trip per window), then its row (and,
 * for a hunt or shrink, its answer; for a compare, its report) is stored and
 * a progress event appended. The worker that stores the last row of a sweep
 * or compare completes it; that of the
 * last row of a hunt's or shrink's batch moves the search on
 * ({@link SearchBatchesService.advance}); a failing point fails the job.
 */
export class SweepPointService {
  private readonly searches: SearchBatchesService;

  /**
   * @param repo - the sweep store
   * @param retentionSec - how long an ended job's keys are kept
   * @param queue - the point queue, for the next batches of hunts and shrinks
   */
  constructor(
    private readonly repo: SweepRepository,
    private readonly retentionSec: number,
    queue: () => SweepQueueRepository,
  ) {
    this.searches = new SearchBatchesService(repo, queue, retentionSec);
  }

  /** Runs the point unless its job already ended (failed, or expired). */
  async run(data: SweepPointJobData): Promise<SweepPointOutcome> {
    const meta = await this.repo.meta(data.sweepId);
    const point = meta?.state === 'running' ? await this.repo.point(data.sweepId, data.index) : null;
    if (!meta || !point) return 'sweep-finished';
    try {
      const { report, answer } = await this.runPoint(data.sweepId, point);
      // A compare's figures need the whole report (exposures, warm-up, time); stored before the row counts it as done.
      if (meta.kind === 'compare') await this.repo.saveReport(data.sweepId, point.index, report);
      const stored = await this.repo.saveRow(data.sweepId, sweepRowOf(point, report));
      if (meta.kind === 'sweep' || meta.kind === 'compare') {
        const best = await this.repo.keepBest(data.sweepId, report.violations.total, {
          index: point.index,
          grid: point.grid,
          policy: point.policy,
          seed: point.seed,
          violations: report.violations.total,
        });
        const fields = progressFieldsOf(meta, stored, best, meta.points);
        if (stored < meta.points) await this.repo.appendEvent(data.sweepId, { type: 'progress', ...fields });
        else await this.repo.finish(data.sweepId, 'completed', null, this.retentionSec, fields);
      } else {
        // A hunt's best so far is the closest run, known as soon as it ran; a shrink's is known per batch.
        if (meta.kind === 'hunt' && answer)
          await this.repo.keepBest(data.sweepId, closenessOf(answer), {
            point: point.index,
            label: point.grid,
            outcome: withoutReport(answer),
          });
        await this.searchProgress(meta, stored);
        if (stored >= meta.points) await this.searches.advance(meta);
      }
      return 'completed';
    } catch (error) {
      await this.fail(data, error instanceof Error ? error.message : String(error), meta);
      throw error;
    }
  }

  /**
   * Fails the point's job with the one-line reason `point <index>: <why>`,
   * unless the job already ended (then nothing changes). The one failure path
   * of a point: the run threw, or BullMQ gave up on it without running it
   * (it stalled more than `POINT_STALLS_MAX` times).
   *
   * @returns true if this call ended the job
   */
  async fail(data: SweepPointJobData, why: string, meta?: SweepMeta): Promise<boolean> {
    const known = meta ?? (await this.repo.meta(data.sweepId));
    if (!known || known.state !== 'running') return false;
    return this.repo.finish(
      data.sweepId,
      'failed',
      `point ${data.index}: ${why.split('\n')[0]}`,
      this.retentionSec,
      progressFieldsOf(known, await this.repo.rowCount(data.sweepId), null, null),
    );
  }

  /** Runs a point: a sweep's to its end, a search's to its first violation (its answer stored for the search). */
  private async runPoint(id: string, point: StoredSweepPoint): Promise<{ report: RunReport; answer?: PointAnswer }> {
    if (!point.search) return { report: await runInProcess(point.config, { shards: 1, progressEveryWindows: 64 }) };
    const report = await runToFirstViolation(point.config, point.search.cls);
    const answer = pointAnswerOf(report, point.search.cls);
    await this.repo.saveAnswer(id, point.index, answer);
    return { report, answer };
  }

  /** Appends a progress event of a hunt or shrink (the best so far as of its last batch). */
  private async searchProgress(meta: SweepMeta, done: number): Promise<void> {
    const search = decodeSearch(await this.repo.search(meta.id));
    if (!search) return;
    await this.repo.appendEvent(meta.id, {
      type: 'progress',
      ...progressFieldsOf(meta, done, search.best, pointsMaxOf(meta.kind, search.request)),
    });
  }
}

/** The counters of an answer, without its report. */
function withoutReport(answer: PointAnswer): Omit<PointAnswer, 'report'> {
  const { report: _report, ...outcome } = answer;
  return outcome;
}
