import { runInProcess, sweepRowOf } from '@tlbsim/engine';
import type { SweepPointJobData } from './sweep-queue.repository';
import { SweepRepository } from './sweep.repository';

/** How a point ended on this worker. */
export type SweepPointOutcome = 'completed' | 'sweep-finished';

/**
 * Runs one sweep point on a worker: the whole run in this process (no
 * Redis round trip per window), then its row is stored; the worker that
 * stores the last row completes the sweep, a failing point fails it.
 */
export class SweepPointService {
  constructor(private readonly repo: SweepRepository, private readonly retentionSec: number) {}

  /** Runs the point unless its sweep already ended (failed, or expired). */
  async run(data: SweepPointJobData): Promise<SweepPointOutcome> {
    const meta = await this.repo.meta(data.sweepId);
    const point = meta?.state === 'running' ? await this.repo.point(data.sweepId, data.index) : null;
    if (!meta || !point) return 'sweep-finished';
    try {
      const report = await runInProcess(point.config, { shards: 1, progressEveryWindows: 64 });
      const stored = await this.repo.saveRow(data.sweepId, sweepRowOf(point, report));
      if (stored >= meta.points) await this.repo.finish(data.sweepId, 'completed', null, this.retentionSec);
      return 'completed';
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      await this.repo.finish(data.sweepId, 'failed', `point ${data.index}: ${text}`, this.retentionSec);
      throw error;
    }
  }
}
