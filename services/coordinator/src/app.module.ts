import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ApiErrorFilter } from './common/api-error.filter';
import { loggerParams } from './common/log-format';
import { ApiTokenGuard } from './common/api-token.guard';
import { RequestDeadlineInterceptor } from './common/request-deadline.interceptor';
import { StoreAvailableGuard } from './common/store-available.guard';
import { isSubmission } from './common/submission.decorator';
import { createValidationPipe } from './common/validation.pipe';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from './coordinator.options';
import { HealthController } from './health/health.controller';
import { JobsStoreHealth } from './health/jobs-store.health';
import { SseHub } from './http/sse.hub';
import { CompareController } from './jobs/compare.controller';
import { JobEventsService } from './jobs/job-events.service';
import { JOBS_PORT_PROVIDER } from './jobs/jobs-port.provider';
import { JobsPortLifecycle } from './jobs/jobs-port.lifecycle';
import { JobsController } from './jobs/jobs.controller';
import { ScenarioSourceDto } from './jobs/jobs.dto';
import { JobsApiService } from './jobs/jobs.service';
import { LiveController } from './live/live.controller';
import { LiveService } from './live/live.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { ScenariosController } from './scenarios/scenarios.controller';
import { ScenariosService } from './scenarios/scenarios.service';
import { WorkersController } from './workers/workers.controller';
import { WorkersService } from './workers/workers.service';
import { QueueAdminModule } from './queues/queue-admin.module';
import { SweepsController } from './sweeps/sweeps.controller';
import { SWEEPS_PORT_PROVIDER } from './sweeps/sweeps-port.provider';
import { SweepsApiService } from './sweeps/sweeps.service';
import { SweepEventsService } from './sweeps/sweep-events.service';
import { HuntsController } from './searches/hunts.controller';
import { ShrinksController } from './searches/shrinks.controller';
import { SearchesApiService } from './searches/searches.service';

/** The coordinator: HTTP API, SSE, health, metrics (the dashboard and /queues are mounted by the bootstrap). */
@Module({})
export class AppModule {
  /** The module configured with `options`. */
  static forRoot(options: CoordinatorOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(options.logLevel, options.logFormat)),
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', ...toThrottler(options.rateLimit) },
            { name: 'submit', ...toThrottler(options.submitRateLimit), skipIf: (ctx) => !isSubmission(ctx) },
          ],
        }),
        TerminusModule.forRoot({ logger: false }),
        // The shard queue through @nestjs/bullmq, unless a ready-made job store (tests) stands in for Redis.
        ...(options.jobs ? [] : [QueueAdminModule.forRoot(options)]),
      ],
      controllers: [
        JobsController,
        CompareController,
        SweepsController,
        HuntsController,
        ShrinksController,
        ScenariosController,
        WorkersController,
        LiveController,
        HealthController,
        MetricsController,
      ],
      providers: [
        { provide: COORDINATOR_OPTIONS, useValue: options },
        JOBS_PORT_PROVIDER,
        JobsPortLifecycle,
        SseHub,
        JobsApiService,
        SWEEPS_PORT_PROVIDER,
        SweepsApiService,
        SweepEventsService,
        SearchesApiService,
        JobEventsService,
        ScenariosService,
        WorkersService,
        LiveService,
        JobsStoreHealth,
        MetricsService,
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: StoreAvailableGuard },
        { provide: APP_INTERCEPTOR, useClass: RequestDeadlineInterceptor },
        {
          provide: APP_PIPE,
          useFactory: (api: JobsApiService) =>
            createValidationPipe(
              (body, bad) => api.scenarioErrorsOf(body, bad),
              (t) => typeof t === 'function' && t.prototype instanceof ScenarioSourceDto,
            ),
          inject: [JobsApiService],
        },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
      ],
    };
  }
}

function toThrottler(limit: { limit: number; ttlMs: number }): { limit: number; ttl: number } {
  return { limit: limit.limit, ttl: limit.ttlMs };
}
