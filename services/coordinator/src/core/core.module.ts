import { DynamicModule, Global, Module } from '@nestjs/common';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { SseHub } from '../http/sse.hub';
import { JOBS_PORT_PROVIDER } from '../jobs/jobs-port.provider';
import { JobsPortLifecycle } from '../jobs/jobs-port.lifecycle';
import { SWEEPS_PORT_PROVIDER } from '../sweeps/sweeps-port.provider';

/**
 * What every feature module shares, provided once for the whole app: the
 * options, the two store ports (the repository layer over Redis) and the
 * SSE hub that bounds open streams across features.
 */
@Global()
@Module({})
export class CoreModule {
  /** The module with `options`. */
  static forRoot(options: CoordinatorOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: COORDINATOR_OPTIONS, useValue: options },
        JOBS_PORT_PROVIDER,
        JobsPortLifecycle,
        SWEEPS_PORT_PROVIDER,
        SseHub,
      ],
      exports: [COORDINATOR_OPTIONS, JOBS_PORT_PROVIDER.provide, SWEEPS_PORT_PROVIDER.provide, SseHub],
    };
  }
}
