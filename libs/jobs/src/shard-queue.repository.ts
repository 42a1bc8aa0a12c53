import { Queue } from 'bullmq';
import { bullPrefixOf, queueHistoryMax, SHARD_QUEUE } from './jobs.constants';
import { relayQueueError } from './redis-connection.monitor';
import { bullConnectionOf, releaseBullConnection } from './redis.client';
import { isClusterUrl } from './redis.target';

/** Data of one BullMQ shard job. */
export interface ShardJobData {
  jobId: string;
  shard: number;
  shards: number;
  /** The job's epoch (see `JobMeta.epoch`) the shard job belongs to. @defaultValue 0 */
  epoch?: number;
}

/**
 * The BullMQ job id of a shard (stable, so a shard is never enqueued twice);
 * after a resize (epoch > 0) the epoch is part of it, since the old epoch's
 * shard jobs may still be finishing.
 */
export function shardJobId(jobId: string, shard: number, epoch = 0): string {
  return epoch > 0 ? `${jobId}.e${epoch}.s${shard}` : `${jobId}.s${shard}`;
}

/**
 * Drops a BullMQ queue's connections while Redis is unreachable: BullMQ's
 * own `disconnect` first waits for a connection that may never come, so it
 * gets half a second.
 */
export async function disconnectQueue(queue: { disconnect(): Promise<void> }): Promise<void> {
  await Promise.race([queue.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
}

/** The BullMQ queue of shard jobs. */
export class ShardQueueRepository {
  readonly queue: Queue<ShardJobData>;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly retentionSec: number,
    private readonly historyMax: number = queueHistoryMax(),
  ) {
    this.queue = new Queue<ShardJobData>(SHARD_QUEUE, {
      connection: bullConnectionOf(redisUrl),
      prefix: bullPrefixOf(prefix, isClusterUrl(redisUrl)),
    });
    this.queue.on('error', relayQueueError(redisUrl));
  }

  /**
   * Enqueues one BullMQ job per shard. The queue keeps the last
   * `historyMax` completed and failed shard jobs (failed ones no longer than
   * the retention) so the queue admin shows recent history; the job's
   * results live in its own records either way.
   */
  async enqueue(jobId: string, shards: number, epoch = 0): Promise<void> {
    await this.queue.addBulk(
      Array.from({ length: shards }, (_, shard) => ({
        name: 'shard',
        data: epoch > 0 ? { jobId, shard, shards, epoch } : { jobId, shard, shards },
        opts: {
          jobId: shardJobId(jobId, shard, epoch),
          attempts: 1,
          removeOnComplete: { count: this.historyMax },
          removeOnFail: { count: this.historyMax, age: this.retentionSec },
        },
      })),
    );
  }

  /** Removes a job's shard jobs that are not running (running ones stop by themselves). */
  async removeWaiting(jobId: string, shards: number, epoch = 0): Promise<void> {
    for (let s = 0; s < shards; s++) {
      const job = await this.queue.getJob(shardJobId(jobId, s, epoch));
      if (!job) continue;
      await job.remove().catch(() => undefined); // locked: it is running and will stop at its next window
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
    releaseBullConnection(this.queue.opts.connection);
  }

  /** Drops the queue's connections without waiting for Redis (it is unreachable). */
  async disconnect(): Promise<void> {
    await disconnectQueue(this.queue);
    releaseBullConnection(this.queue.opts.connection);
  }
}
