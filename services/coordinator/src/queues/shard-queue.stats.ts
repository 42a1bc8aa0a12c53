import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { SHARD_QUEUE } from '@tlbsim/jobs';
import type { Queue } from 'bullmq';

/** BullMQ job states counted for `/metrics`. */
export const SHARD_QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** The shard queue injected by `@nestjs/bullmq`: its job counts and the queue itself for bull-board. */
@Injectable()
export class ShardQueueStats implements OnApplicationShutdown {
  constructor(@InjectQueue(SHARD_QUEUE) readonly queue: Queue) {}

  /** Shard jobs by BullMQ state. */
  async counts(): Promise<Record<(typeof SHARD_QUEUE_STATES)[number], number>> {
    const c = await this.queue.getJobCounts(...SHARD_QUEUE_STATES);
    return Object.fromEntries(SHARD_QUEUE_STATES.map((s) => [s, c[s] ?? 0])) as Record<(typeof SHARD_QUEUE_STATES)[number], number>;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
