import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { bullConnectionOf, bullPrefixOf, DEFAULT_PREFIX, isClusterUrl, SHARD_QUEUE } from '@tlbsim/jobs';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { ShardQueueStats } from './shard-queue.stats';

/**
 * The shard queue, as the coordinator sees it through `@nestjs/bullmq`: the
 * queue bull-board shows at `/queues` and whose job counts `/metrics`
 * exports. Workers consume it; the coordinator only observes it.
 */
@Module({})
export class QueueAdminModule {
  /** The module on `options.redisUrl` with tlbsim's BullMQ prefix. */
  static forRoot(options: CoordinatorOptions): DynamicModule {
    return {
      module: QueueAdminModule,
      imports: [
        BullModule.forRoot({
          // BullMQ needs maxRetriesPerRequest null on connections it may block on (bullConnectionOf sets it).
          connection: bullConnectionOf(options.redisUrl, 'tlbsim-queues'),
          prefix: bullPrefixOf(options.prefix ?? DEFAULT_PREFIX, isClusterUrl(options.redisUrl)),
        }),
        BullModule.registerQueue({ name: SHARD_QUEUE }),
      ],
      providers: [{ provide: COORDINATOR_OPTIONS, useValue: options }, ShardQueueStats],
      exports: [ShardQueueStats],
    };
  }
}
