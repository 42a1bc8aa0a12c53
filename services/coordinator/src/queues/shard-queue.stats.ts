import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  disconnectQueue,
  RedisConnectionMonitor,
  relayQueueError,
  releaseBullConnection,
  SHARD_QUEUE,
} from '@tlbsim/jobs';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import type { Queue } from 'bullmq';

/** BullMQ job states counted for `/metrics`. */
export const SHARD_QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** The shard queue injected by `@nestjs/bullmq`: its job counts and the queue itself for bull-board. */
@Injectable()
export class ShardQueueStats implements OnApplicationShutdown {
  constructor(
    @InjectQueue(SHARD_QUEUE) readonly queue: Queue,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {
    // Connection errors become the process's one line per Redis state change.
    queue.on('error', relayQueueError(options.redisUrl));
  }

  /** Shard jobs by BullMQ state. */
  async counts(): Promise<Record<(typeof SHARD_QUEUE_STATES)[number], number>> {
    const c = await this.queue.getJobCounts(...SHARD_QUEUE_STATES);
    return Object.fromEntries(SHARD_QUEUE_STATES.map((s) => [s, c[s] ?? 0])) as Record<
      (typeof SHARD_QUEUE_STATES)[number],
      number
    >;
  }

  /** Closes the queue; drops its connections at once while Redis is unreachable (a close would wait for it). */
  async onApplicationShutdown(): Promise<void> {
    if (RedisConnectionMonitor.of(this.options.redisUrl).up) await this.queue.close();
    else await disconnectQueue(this.queue);
    releaseBullConnection(this.queue.opts.connection);
  }
}
