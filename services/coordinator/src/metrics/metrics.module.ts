import { DynamicModule, Module } from '@nestjs/common';
import type { CoordinatorOptions } from '../coordinator.options';
import { JobsModule } from '../jobs/jobs.module';
import { QueueAdminModule } from '../queues/queue-admin.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** The Prometheus scrape endpoint (`/metrics`) and the registry the request timer writes to. */
@Module({})
export class MetricsModule {
  /** The module; with the shard queue's counts unless a ready-made job store stands in for Redis (tests). */
  static forRoot(options: CoordinatorOptions): DynamicModule {
    return {
      module: MetricsModule,
      imports: [JobsModule, ...(options.jobs ? [] : [QueueAdminModule.forRoot(options)])],
      controllers: [MetricsController],
      providers: [MetricsService],
      exports: [MetricsService],
    };
  }
}
