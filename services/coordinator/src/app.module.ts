import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ApiErrorFilter } from './common/api-error.filter';
import { loggerParams } from './common/log-format';
import { ApiTokenGuard } from './common/api-token.guard';
import { RequestDeadlineInterceptor } from './common/request-deadline.interceptor';
import { StoreAvailableGuard } from './common/store-available.guard';
import { isSubmission } from './common/submission.decorator';
import { createValidationPipe } from './common/validation.pipe';
import type { CoordinatorOptions } from './coordinator.options';
import { CoreModule } from './core/core.module';
import { HealthModule } from './health/health.module';
import { CompareModule } from './jobs/compare.module';
import { ScenarioSourceDto } from './jobs/jobs.dto';
import { JobsModule } from './jobs/jobs.module';
import { JobsApiService } from './jobs/jobs.service';
import { MetricsModule } from './metrics/metrics.module';
import { ScenariosModule } from './scenarios/scenarios.module';
import { SearchesModule } from './searches/searches.module';
import { SweepsModule } from './sweeps/sweeps.module';
import { WorkersModule } from './workers/workers.module';

/**
 * The coordinator: one module per feature (jobs, compare, sweeps, searches,
 * scenarios, workers and the live feed, health, metrics) over the shared
 * {@link CoreModule}, and what applies to every route: the token guard
 * (protected by default), rate limits, the store guard, request deadlines,
 * validation and the JSON error shape. The dashboard and `/queues` are
 * Express mounts (coordinator.bootstrap.ts).
 */
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
        CoreModule.forRoot(options),
        JobsModule,
        CompareModule,
        SweepsModule,
        SearchesModule,
        ScenariosModule,
        WorkersModule,
        HealthModule,
        MetricsModule.forRoot(options),
      ],
      providers: [
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
