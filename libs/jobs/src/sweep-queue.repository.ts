import { Queue } from 'bullmq';
import { relayQueueError } from './redis-connection.monitor';
import { bullPrefixOf, SWEEP_QUEUE } from './jobs.constants';
import { bullConnectionOf, releaseBullConnection } from './redis.client';
import { isClusterUrl } from './redis.target';

/** Data of one BullMQ sweep-point job. */
export interface SweepPointJobData {
  sweepId: string;
  index: number;
}

/** The BullMQ job id of a sweep point (stable, so a point is never enqueued twice). */
export function sweepPointJobId(sweepId: string, index: number): string {
  return `${sweepId}.p${index}`;
}

/**
 * The BullMQ queue of sweep points. Points are independent runs (no window
 * barrier between them), so unlike shards they need no gang admission:
 * any free worker takes the next one.
 */
export class SweepQueueRepository {
  readonly queue: Queue<SweepPointJobData>;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly retentionSec: number,
  ) {
    this.queue = new Queue<SweepPointJobData>(SWEEP_QUEUE, {
      connection: bullConnectionOf(redisUrl),
      prefix: bullPrefixOf(prefix, isClusterUrl(redisUrl)),
    });
    this.queue.on('error', relayQueueError(redisUrl));
  }

  /** Enqueues one BullMQ job per point, for points `first` to `first + points - 1`. */
  async enqueue(sweepId: string, points: number, first = 0): Promise<void> {
    const chunk = 500;
    for (let start = first; start < first + points; start += chunk) {
      await this.queue.addBulk(
        Array.from({ length: Math.min(chunk, first + points - start) }, (_, i) => ({
          name: 'point',
          data: { sweepId, index: start + i },
          opts: {
            jobId: sweepPointJobId(sweepId, start + i),
            attempts: 1,
            removeOnComplete: true,
            removeOnFail: { age: this.retentionSec },
          },
        })),
      );
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
    releaseBullConnection(this.queue.opts.connection);
  }
}
