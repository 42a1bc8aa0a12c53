import type { FactoryProvider } from '@nestjs/common';
import { SweepsService } from '@tlbsim/jobs';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { SweepsPort } from './sweeps.port';

/** The sweep store: the one given in the options (tests), else `SweepsService` of `@tlbsim/jobs` on `redisUrl`. */
export function createSweepsPort(options: CoordinatorOptions): SweepsPort {
  if (options.sweeps) return options.sweeps;
  const service: SweepsPort = new SweepsService({ redisUrl: options.redisUrl, prefix: options.prefix, retentionSec: options.retentionSec });
  return service;
}

/** Provides {@link SweepsPort}. */
export const SWEEPS_PORT_PROVIDER: FactoryProvider<SweepsPort> = {
  provide: SweepsPort,
  useFactory: createSweepsPort,
  inject: [COORDINATOR_OPTIONS],
};
